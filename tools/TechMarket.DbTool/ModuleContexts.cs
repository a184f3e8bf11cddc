using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TechMarket.Identity.Persistence;
using TechMarket.Kernel.Persistence;
using TechMarket.Listings.Persistence;
using TechMarket.Messaging.Persistence;
using TechMarket.Orders.Persistence;
using TechMarket.Payments.Persistence;

namespace TechMarket.Tools.Db;

/// <summary>Every module's DbContext, built exactly as the app builds it (same <see cref="ModuleDatabase.Configure"/>).</summary>
public sealed record ModuleContexts(string Module, Func<DbContextOptions, DbContext> Factory, Type ContextType)
{
    public static readonly IReadOnlyList<ModuleContexts> All =
    [
        new(AccountsDbContext.Module, o => new AccountsDbContext((DbContextOptions<AccountsDbContext>)o), typeof(AccountsDbContext)),
        new(PaymentsDbContext.Module, o => new PaymentsDbContext((DbContextOptions<PaymentsDbContext>)o), typeof(PaymentsDbContext)),
        new(MessagingDbContext.Module, o => new MessagingDbContext((DbContextOptions<MessagingDbContext>)o), typeof(MessagingDbContext)),
        new(OrdersDbContext.Module, o => new OrdersDbContext((DbContextOptions<OrdersDbContext>)o), typeof(OrdersDbContext)),
        new(ListingsDbContext.Module, o => new ListingsDbContext((DbContextOptions<ListingsDbContext>)o, TimeProvider.System), typeof(ListingsDbContext)),
    ];

    // Design time needs a provider, not a server: a placeholder connection string is never opened.
    private static readonly DatabaseOptions Sqlite = new() { Provider = DatabaseProvider.Sqlite, ConnectionString = "Data Source=design-time.db" };
    private static readonly DatabaseOptions Postgres = new() { Provider = DatabaseProvider.Postgres, ConnectionString = "Host=localhost;Database=design_time" };

    public DbContext Create(DatabaseProvider provider)
    {
        var builder = (DbContextOptionsBuilder)Activator.CreateInstance(typeof(DbContextOptionsBuilder<>).MakeGenericType(ContextType))!;
        ModuleDatabase.Configure(builder, provider == DatabaseProvider.Postgres ? Postgres : Sqlite, Module);
        return Factory(builder.Options);
    }
}
