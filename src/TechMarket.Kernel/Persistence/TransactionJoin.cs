using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace TechMarket.Kernel.Persistence;

public static class TransactionJoin
{
    /// <summary>
    /// Puts a fresh module context on another module's open connection and transaction, so both modules' writes commit
    /// or roll back together (stock with the order, payment with the order). A fresh context, not the scoped one, whose
    /// own connection other code in the request may still use; the caller keeps ownership: nothing is committed or closed.
    /// </summary>
    public static async Task<TContext> JoinAsync<TContext>(this TContext context, DbTransaction transaction, CancellationToken cancellationToken = default)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(transaction.Connection);
        context.Database.SetDbConnection(transaction.Connection, contextOwnsConnection: false);
        await context.Database.UseTransactionAsync(transaction, cancellationToken);
        return context;
    }
}
