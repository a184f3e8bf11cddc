using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TechMarket.Kernel.Persistence;
using TechMarket.Orders;
using TechMarket.Orders.Domain;
using TechMarket.Orders.Persistence;
using TechMarket.Payments;
using TechMarket.Testing;
using TechMarket.Web.Hosting;

namespace TechMarket.Web.Tests.Platform;

/// <summary>
/// The second demo step in the embedded setup: the app on Kestrel with its own sandbox bank, so the bank's signed
/// notification reaches the app as it does for a newcomer's `dotnet run`.
/// </summary>
public sealed class DemoTradingTests
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Demo_trades_are_paid_at_the_sandbox_bank_and_hold_release_or_return_their_escrow_once(DatabaseProvider provider)
    {
        await using var app = new EmbeddedApp(provider);
        // The bank stamps the payment time in whole seconds.
        var started = DateTimeOffset.UtcNow.AddSeconds(-1);
        app.StartServer();

        Assert.Equal(DemoTrading.Script.Count, await app.TradedAsync());

        var trades = await app.TradesAsync();
        Assert.Equal(DemoTrading.Script.Count, trades.Count);
        var states = trades.GroupBy(t => t.Order.State).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<OrderState, int>
        {
            [OrderState.Paid] = 2,
            [OrderState.Delivered] = 2,
            [OrderState.Completed] = 2,
            [OrderState.RefundRequested] = 1,
            [OrderState.Refunded] = 1,
        }, states);
        var disputed = Assert.Single(trades, t => t.Order.Disputed);
        Assert.Equal(OrderState.Delivered, disputed.Order.State);
        Assert.Equal(DemoTrading.Script.Count / 2, trades.GroupBy(t => t.Order.BuyerId).Select(g => g.Count()).Distinct().Single());
        Assert.Equal(2, trades.Where(t => t.Order.State == OrderState.Completed).Select(t => t.Order.SellerId).Distinct().Count());
        Assert.Equal(4, trades.Count(t => t.Attachments == 1 && t.Order.DeliveredAt is not null));

        // Every order was paid for real (a bank trade number, now) and its escrow matches its state.
        foreach (var (order, payment, _) in trades)
        {
            Assert.NotNull(payment);
            Assert.Equal(order.Amount, order.PaidAmount);
            Assert.Equal(order.Amount, payment.Amount);
            Assert.False(string.IsNullOrEmpty(order.ProviderTradeNo));
            Assert.Equal(order.ProviderTradeNo, payment.ProviderTradeNo);
            Assert.InRange(order.PaidAt!.Value, started, DateTimeOffset.UtcNow);
            Assert.InRange(order.CreatedAt, started - DemoTrading.PlacedAgo(0) - TimeSpan.FromMinutes(1), order.PaidAt.Value - DemoTrading.PlacedAgo(DemoTrading.Script.Count - 1));
            var (held, released, refunded) = order.State switch
            {
                OrderState.Completed => (0m, order.Amount, 0m),
                OrderState.Refunded => (0m, 0m, order.Amount),
                _ => (order.Amount, 0m, 0m),
            };
            Assert.Equal((held, released, refunded), (payment.Held, payment.Released, payment.Refunded));
            Assert.Equal(order.State == OrderState.Completed, order.EscrowReleased);
        }

        // The first demo step's orders are untouched; a second start of the app adds nothing.
        var all = await app.OrderCountAsync();
        Assert.Equal(OrdersSeeder.ScriptedOrders + DemoTrading.Script.Count, all);
        await using (var again = new EmbeddedApp(provider, app.ConnectionString))
        {
            again.StartServer();
            Assert.Equal(0, await again.TradedAsync());
        }

        Assert.Equal(all, await app.OrderCountAsync());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Without_Seed_DemoOrders_outside_Development_nothing_is_traded(DatabaseProvider provider)
    {
        await using var app = new EmbeddedApp(provider, demoOrders: false);
        app.StartServer();

        Assert.Equal(0, await app.TradedAsync());
        Assert.Equal(0, await app.OrderCountAsync());
    }

    [Fact]
    public async Task In_Production_nothing_is_traded_even_with_the_switches_on()
    {
        await using var app = new EmbeddedApp(DatabaseProvider.Sqlite, environment: "Production");
        app.StartServer();

        Assert.Equal(0, await app.TradedAsync());
        Assert.Equal(0, await app.OrderCountAsync(DemoTrading.KeyPrefix));
        Assert.Equal(OrdersSeeder.ScriptedOrders, await app.OrderCountAsync());
    }

    private sealed record Trade(Order Order, PaymentView? Payment, int Attachments);

    private sealed class EmbeddedApp : TechMarketApp
    {
        private readonly string? environment;

        public EmbeddedApp(DatabaseProvider provider, string? database = null, bool demoOrders = true, string? environment = null)
            : base(provider)
        {
            this.environment = environment;
            var port = FreePort();
            if (demoOrders)
            {
                Settings["Seed:DemoOrders"] = "true";
            }

            Settings["Orders:BackgroundJobs"] = "false";
            Settings["Payments:BackgroundJobs"] = "false";
            Settings["Payments:PublicBaseUrl"] = $"http://127.0.0.1:{port}";
            Settings["Payments:SandboxBank:Autostart"] = "true";
            Settings["Payments:SandboxBank:Url"] = $"http://127.0.0.1:{FreePort()}";
            Settings["Payments:SandboxBank:KeyFolder"] = Path.Combine(Root, "sandbox-bank");
            var connectionString = database ?? ConnectionString;
            // The PostgreSQL server is shared by every test run on the machine: bound this app's share of connections.
            Settings["Database:ConnectionString"] = provider == DatabaseProvider.Postgres ? connectionString + ";Maximum Pool Size=20" : connectionString;
            UseKestrel(port);
        }

        public async Task<int> TradedAsync() =>
            await Services.GetRequiredService<DemoTrading>().Finished.WaitAsync(TimeSpan.FromMinutes(2));

        public async Task<int> OrderCountAsync(string keyPrefix = "")
        {
            await using var scope = Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<OrdersDbContext>().Orders.CountAsync(o => o.IdempotencyKey.StartsWith(keyPrefix));
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            if (environment is not null)
            {
                builder.UseEnvironment(environment);
                // Production's own settings turn the demo off; this proves the step refuses even when asked.
                builder.UseSetting("Seed:DemoData", "true");
            }
        }

        public async Task<List<Trade>> TradesAsync()
        {
            await using var scope = Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
            var payments = scope.ServiceProvider.GetRequiredService<IPayments>();
            var orders = await db.Orders.AsNoTracking().Where(o => o.IdempotencyKey.StartsWith(DemoTrading.KeyPrefix)).ToListAsync();
            var trades = new List<Trade>();
            foreach (var order in orders)
            {
                var payment = order.PaymentReference is { } reference ? await payments.GetAsync(reference) : null;
                trades.Add(new Trade(order, payment, await db.Attachments.CountAsync(a => a.OrderId == order.Id)));
            }

            return trades;
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
