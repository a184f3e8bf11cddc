using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Npgsql;
using TechMarket.Orders.Floor;
using TechMarket.Payments.Gateways.Alipay;

// The lower bound of one "buy now + bank notification + duplicate" flow on this machine: the same durable work as the
// real app, hand-written on Kestrel minimal APIs and raw Npgsql (bench/orders/floor/run.sh drives it; docs/benchmarks.md).
//   keys   <folder>                                         bank RSA-2048 key pair, the shop's RSA key, the token HMAC key
//   setup  <connectionString>                               (re)create schema floor and its seed rows
//   serve  <url> <connectionString> <keyFolder> [payurl]    the floor shop: POST /orders, POST /notify (payurl: sign a pay URL too)
//   http   <url> <keyFolder> <connectionString> <concurrency> <warmup> <flows> <inline|presign> [appPid] [pgPort]
//   direct <connectionString> <concurrency> <warmup> <flows> [pgPort]
//   crypto <keyFolder>                                      single-thread cost of signing, verifying, token checks
//   pgcpu  <pgPort>                                         CPU ticks of the PostgreSQL server listening on that port
static int Int(string[] a, int i) => int.Parse(a[i], CultureInfo.InvariantCulture);
static int? OptionalInt(string[] a, int i) => a.Length > i ? int.Parse(a[i], CultureInfo.InvariantCulture) : null;

switch (args.FirstOrDefault())
{
    case "keys":
        {
            Directory.CreateDirectory(args[1]);
            using var rsa = RSA.Create(2048);
            await File.WriteAllTextAsync(Path.Combine(args[1], "bank-private.pem"), rsa.ExportPkcs8PrivateKeyPem());
            await File.WriteAllTextAsync(Path.Combine(args[1], "bank-public.pem"), rsa.ExportSubjectPublicKeyInfoPem());
            await File.WriteAllTextAsync(Path.Combine(args[1], "token.key"), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            using var shop = RSA.Create(2048);
            await File.WriteAllTextAsync(Path.Combine(args[1], "shop-private.pem"), shop.ExportPkcs8PrivateKeyPem());
            return 0;
        }

    case "setup":
        {
            await using var db = NpgsqlDataSource.Create(args[1]);
            await FloorDb.CreateSchemaAsync(db);
            return 0;
        }

    case "serve":
        await FloorApp.RunAsync(args[1], args[2], args[3], args.Length > 4 && args[4] == "payurl");
        return 0;

    case "http":
        return await LoadGen.HttpAsync(new Uri(args[1]), args[2], Int(args, 4), Int(args, 5), Int(args, 6), args[7] == "presign",
            OptionalInt(args, 8), OptionalInt(args, 9), args[3]);

    case "direct":
        return await LoadGen.DirectAsync(args[1], Int(args, 2), Int(args, 3), Int(args, 4), OptionalInt(args, 5));

    case "crypto":
        {
            using var priv = AlipaySignature.LoadPrivateKey(await File.ReadAllTextAsync(Path.Combine(args[1], "bank-private.pem")));
            using var pub = AlipaySignature.LoadPublicKey(await File.ReadAllTextAsync(Path.Combine(args[1], "bank-public.pem")));
            var tokens = new Tokens(Convert.FromBase64String(await File.ReadAllTextAsync(Path.Combine(args[1], "token.key"))));
            var bank = new Bank(priv);
            var form = bank.Notification("ORDF0123456789ABCDEF012-1", 1000m);
            var token = "Bearer " + tokens.Issue(FloorDb.Buyer(0), true, DateTimeOffset.UtcNow.AddHours(1));
            double PerOp(int n, Action op)
            {
                for (var i = 0; i < Math.Max(10, n / 10); i++)
                {
                    op();
                }

                var t0 = ThreadCpu.Nanoseconds();
                for (var i = 0; i < n; i++)
                {
                    op();
                }

                return (ThreadCpu.Nanoseconds() - t0) / 1000.0 / n;
            }

            var sign = PerOp(500, () => bank.Notification("ORDF0123456789ABCDEF012-1", 1000m));
            var verify = PerOp(5000, () =>
            {
                if (!AlipaySignature.VerifyParameters(AlipaySignature.ParseForm(form), pub, AlipaySignature.NotificationExclusions))
                {
                    throw new InvalidOperationException("signature");
                }
            });
            var check = PerOp(200_000, () => tokens.VerifiedMember(token));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"single-thread CPU per operation: bank builds + signs a notification (RSA-2048 private) {sign:0.0} µs; shop parses + verifies it (RSA-2048 public) {verify:0.0} µs; bearer token HMAC check {check:0.00} µs"));
            return 0;
        }

    case "pgcpu":
        Console.WriteLine(Measure.Postmaster(Int(args, 1)) is { } pm ? Measure.ServerTicks(pm) : -1);
        return 0;

    default:
        Console.Error.WriteLine("usage: see the comment at the top of bench/orders/floor/Program.cs");
        return 2;
}
