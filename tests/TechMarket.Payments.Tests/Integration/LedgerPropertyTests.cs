using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TechMarket.Kernel.Persistence;
using TechMarket.Payments.Domain;
using TechMarket.Payments.Features.Callbacks;
using TechMarket.Payments.Features.Withdrawals;
using TechMarket.Payments.Gateways;
using TechMarket.Payments.Persistence;
using TechMarket.Testing;

namespace TechMarket.Payments.Tests.Integration;

/// <summary>
/// The ledger always balances: random sequences of valid and invalid operations (fixed seeds, so failures replay)
/// against a model of what each account should hold. Rejected operations must leave the ledger untouched.
/// </summary>
public sealed class LedgerPropertyTests
{
    public static IEnumerable<object[]> Runs =>
    [
        [DatabaseProvider.Sqlite, 20261123],
        [DatabaseProvider.Postgres, 20261123],
    ];

    [Theory, MemberData(nameof(Runs))]
    public async Task Ledger_balances_and_matches_the_model_after_every_random_operation(DatabaseProvider provider, int seed)
    {
        var gateway = new ScriptedGateway();
        using var app = new TechMarketApp(provider);
        app.Settings["Payments:BackgroundJobs"] = "false";
        app.TestServices = s =>
        {
            s.RemoveAll<IPaymentGateway>();
            s.AddSingleton<IPaymentGateway>(gateway);
        };
        _ = app.Services;
        var random = new Random(seed);
        Guid[] members = [Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()];
        var model = new Model();
        var pendingWithdrawals = new List<(Guid Id, Guid Member, decimal Amount)>();
        var references = new List<string>();

        for (var step = 0; step < 200; step++)
        {
            await using var scope = app.Services.CreateAsyncScope();
            var payments = scope.ServiceProvider.GetRequiredService<IPayments>();
            var balances = scope.ServiceProvider.GetRequiredService<Balances>();
            var processor = scope.ServiceProvider.GetRequiredService<NotificationProcessor>();
            var linesBefore = await LineCountAsync(app);
            var expectChange = false;
            var op = random.Next(7);
            var reference = references.Count > 0 ? references[random.Next(references.Count)] : null;
            switch (op)
            {
                case 0 when references.Count < 25 || reference is null:
                    {
                        var payer = members[random.Next(members.Length)];
                        var payee = members.First(m => m != payer);
                        var amount = RandomAmount(random, allowInvalid: true);
                        var r = await payments.CreatePaymentAsync(new CreatePayment($"P{step}", payer, payee, amount, "x"));
                        Assert.Equal(PaymentsErrorFreeAmount(amount), r.Succeeded);
                        if (r.Succeeded)
                        {
                            references.Add(r.Value!.Reference);
                        }

                        break;
                    }

                case 0 or 1 when reference is not null:
                    {
                        var payment = (await payments.GetAsync(reference!))!;
                        var off = random.Next(4) == 0 ? 0.01m : 0m;
                        var outcome = await processor.ApplyAsync(
                            new GatewayNotification(NotificationProblem.None, reference, "TN" + reference, payment.Amount + off, TradeState.Paid, null), "test", null);
                        if (payment.Status == "Created" && off == 0)
                        {
                            Assert.Equal(NotificationOutcome.Applied, outcome);
                            model.Paid += payment.Amount;
                            expectChange = true;
                        }
                        else
                        {
                            Assert.NotEqual(NotificationOutcome.Applied, outcome);
                        }

                        break;
                    }

                case 2 when reference is not null:
                    {
                        var payment = (await payments.GetAsync(reference))!;
                        var amount = Portion(random, payment.Held);
                        var r = await payments.ReleaseAsync(reference, amount, null);
                        var valid = payment.Status == "Paid" && amount > 0 && amount <= payment.Held;
                        Assert.Equal(valid, r.Succeeded);
                        if (valid)
                        {
                            var fee = decimal.Round(amount * 0.05m, 2, MidpointRounding.AwayFromZero);
                            model.Seller[payment.PayeeId] = model.Seller.GetValueOrDefault(payment.PayeeId) + amount - fee;
                            model.Fees += fee;
                            expectChange = true;
                        }

                        break;
                    }

                case 3 when reference is not null:
                    {
                        var payment = (await payments.GetAsync(reference))!;
                        var amount = Portion(random, payment.Held);
                        gateway.FailNextRefund = random.Next(4) == 0;
                        var failing = gateway.FailNextRefund;
                        var r = await payments.RefundAsync(reference, amount, "test", null);
                        var valid = payment.Status == "Paid" && amount > 0 && amount <= payment.Held;
                        Assert.Equal(valid && !failing, r.Succeeded);
                        if (valid)
                        {
                            // A failed refund still leaves its reservation and reversal in the ledger (balanced, net zero).
                            expectChange = true;
                            if (!failing)
                            {
                                model.Refunded += amount;
                            }
                        }

                        gateway.FailNextRefund = false;
                        break;
                    }

                case 4:
                    {
                        var member = members[random.Next(members.Length)];
                        var available = model.Seller.GetValueOrDefault(member);
                        var amount = random.Next(3) == 0 ? available + 0.01m : Portion(random, available);
                        var r = await balances.RequestAsync(member, new WithdrawalRequest(amount, "中国银行", "6222021234567890", "张三"));
                        var valid = amount > 0 && amount <= available;
                        Assert.Equal(valid, r.Succeeded);
                        if (valid)
                        {
                            model.Seller[member] = available - amount;
                            pendingWithdrawals.Add((r.Value!.Id, member, amount));
                            expectChange = true;
                        }

                        break;
                    }

                case 5 when pendingWithdrawals.Count > 0:
                    {
                        var w = pendingWithdrawals[random.Next(pendingWithdrawals.Count)];
                        var confirm = random.Next(2) == 0;
                        var r = await balances.DecideAsync(w.Id, confirm, Guid.NewGuid(), null);
                        Assert.True(r.Succeeded);
                        pendingWithdrawals.Remove(w);
                        if (confirm)
                        {
                            model.WithdrawnOut += w.Amount;
                        }
                        else
                        {
                            model.Seller[w.Member] = model.Seller.GetValueOrDefault(w.Member) + w.Amount;
                        }

                        expectChange = true;
                        break;
                    }

                default:
                    {
                        // Nonsense that must be refused: unknown references, zero, negative, sub-fen amounts.
                        var amount = new[] { 0m, -5m, 0.001m }[random.Next(3)];
                        Assert.False((await payments.ReleaseAsync(reference ?? "nope", amount, null)).Succeeded);
                        Assert.False((await payments.RefundAsync("NO-SUCH", 1m, "x", null)).Succeeded);
                        break;
                    }
            }

            var linesAfter = await LineCountAsync(app);
            Assert.True(expectChange ? linesAfter > linesBefore : linesAfter == linesBefore, $"step {step} op {op}: ledger lines {linesBefore} → {linesAfter}");
            await AssertInvariantsAsync(app, model, step);
        }

        // The sequence really exercised money moving each way.
        Assert.True(model.Paid > 0 && model.Fees > 0 && model.Refunded > 0 && model.WithdrawnOut > 0, $"the random sequence exercised every movement: paid {model.Paid} refunded {model.Refunded} fees {model.Fees} withdrawn {model.WithdrawnOut}");
    }

    private sealed class Model
    {
        public decimal Paid { get; set; }
        public decimal Refunded { get; set; }
        public decimal Fees { get; set; }
        public decimal WithdrawnOut { get; set; }
        public Dictionary<Guid, decimal> Seller { get; } = [];
    }

    private static bool PaymentsErrorFreeAmount(decimal amount) => amount > 0 && decimal.Round(amount, 2) == amount;

    private static decimal RandomAmount(Random random, bool allowInvalid) =>
        allowInvalid && random.Next(8) == 0
            ? new[] { 0m, -1m, 12.345m }[random.Next(3)]
            : random.Next(1, 500_000) / 100m;

    /// <summary>Mostly a valid part of <paramref name="max"/>, sometimes all of it, sometimes one fen too much.</summary>
    private static decimal Portion(Random random, decimal max) => random.Next(6) switch
    {
        0 => max + 0.01m,
        1 => max,
        _ => max <= 0.01m ? max : Math.Max(0.01m, decimal.Round(max * random.Next(1, 100) / 100m, 2)),
    };

    private static async Task<int> LineCountAsync(TechMarketApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PaymentsDbContext>().Ledger.CountAsync();
    }

    private static async Task AssertInvariantsAsync(TechMarketApp app, Model model, int step)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        var lines = await db.Ledger.AsNoTracking().ToListAsync();
        var payments = await db.Payments.AsNoTracking().ToListAsync();
        decimal Balance(string account, bool debitNormal) =>
            lines.Where(l => l.Account == account).Sum(l => debitNormal ? l.Debit - l.Credit : l.Credit - l.Debit);

        Assert.True(lines.Sum(l => l.Debit) == lines.Sum(l => l.Credit), $"step {step}: debits ≠ credits");
        Assert.All(lines.GroupBy(l => l.PostingId), g => Assert.Equal(g.Sum(l => l.Debit), g.Sum(l => l.Credit)));
        Assert.Equal(payments.Sum(p => p.Held), Balance(Accounts.Escrow, false));
        Assert.Equal(0m, Balance(Accounts.RefundsPending, false));
        Assert.Equal(model.Paid - model.Refunded - model.WithdrawnOut, Balance(Accounts.BankClearing, true));
        Assert.Equal(model.Fees, Balance(Accounts.PlatformFees, false));
        foreach (var (member, expected) in model.Seller)
        {
            Assert.Equal(expected, Balance(Accounts.SellerPayable(member), false));
            Assert.True(expected >= 0);
        }
    }
}
