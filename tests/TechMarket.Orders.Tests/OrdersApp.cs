using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TechMarket.Kernel.Persistence;
using TechMarket.Orders.Catalog;
using TechMarket.Payments;
using TechMarket.Testing;

namespace TechMarket.Orders.Tests;

/// <summary>The real app with a controllable clock, the background sweep off (tests drive it) and the test catalog.</summary>
public sealed class OrdersApp : TechMarketApp
{
    public OrdersApp(DatabaseProvider provider, bool realListings = false)
        : base(provider)
    {
        Settings["Orders:BackgroundJobs"] = "false";
        Settings["Payments:BackgroundJobs"] = "false";
        if (provider == DatabaseProvider.Postgres)
        {
            // The PostgreSQL server is shared by every test run on the machine: bound this app's share of connections.
            Settings["Database:ConnectionString"] = ConnectionString + ";Maximum Pool Size=20";
        }
        TestServices = services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            if (!realListings)
            {
                services.AddSingleton<IOrderCatalog>(Catalog);
            }
        };
    }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));

    public TestCatalog Catalog { get; } = new();

    public static async Task<Guid> MemberIdAsync(HttpClient client)
    {
        var me = await client.GetFromJsonAsync<JsonElement>("/api/v1/me");
        return me.GetProperty("id").GetGuid();
    }

    public async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> body)
    {
        await using var scope = Services.CreateAsyncScope();
        return await body(scope.ServiceProvider);
    }

    /// <summary>What the Payments module reports once the bank confirms a payment (IPaymentEvents).</summary>
    public Task ConfirmPaymentAsync(string reference, Guid payer, Guid payee, decimal amount) =>
        InScopeAsync(async sp =>
        {
            foreach (var handler in sp.GetServices<IPaymentEvents>())
            {
                await handler.PaymentConfirmedAsync(new PaymentConfirmed(Guid.NewGuid(), reference, payer, payee, amount, "T" + Guid.NewGuid().ToString("N")[..20], Clock.GetUtcNow()), CancellationToken.None);
            }

            return 0;
        });
}
