namespace TechMarket.Payments.Domain;

/// <summary>
/// The chart of accounts. Asset: bank clearing (money at the institution). Liabilities: escrow (buyers' money held),
/// seller payable per member, refunds and withdrawals in flight. Income: platform fees.
/// Liability and income accounts grow by credits; the bank grows by debits.
/// </summary>
public static class Accounts
{
    public const string BankClearing = "bank-clearing";
    public const string Escrow = "escrow";
    public const string PlatformFees = "platform-fees";
    public const string RefundsPending = "refunds-pending";
    public const string WithdrawalsPending = "withdrawals-pending";
    public const string SellerPayablePrefix = "seller-payable:";

    public static string SellerPayable(Guid memberId) => SellerPayablePrefix + memberId.ToString("N");
}

/// <summary>One line of a balanced posting. Rows are immutable: the context refuses to update or delete them.</summary>
public sealed class LedgerEntry
{
    public long Id { get; private set; }
    public Guid PostingId { get; private set; }
    public DateTimeOffset At { get; private set; }
    public string Account { get; private set; } = "";
    public Guid? MemberId { get; private set; }
    public decimal Debit { get; private set; }
    public decimal Credit { get; private set; }
    public string Kind { get; private set; } = "";
    public Guid? PaymentId { get; private set; }
    public string? Reference { get; private set; }

    private LedgerEntry()
    {
    }

    internal static LedgerEntry Line(Guid postingId, DateTimeOffset at, string account, Guid? memberId, decimal debit, decimal credit, string kind, Guid? paymentId, string? reference) => new()
    {
        PostingId = postingId,
        At = at,
        Account = account,
        MemberId = memberId,
        Debit = debit,
        Credit = credit,
        Kind = kind,
        PaymentId = paymentId,
        Reference = reference,
    };
}

/// <summary>Builds one posting and refuses to produce it unless debits equal credits (CNY, 2 decimals).</summary>
public sealed class Posting(string kind, DateTimeOffset at, Guid? paymentId = null, string? reference = null)
{
    private readonly Guid id = Guid.CreateVersion7(at);
    private readonly List<LedgerEntry> lines = [];

    public Posting Debit(string account, decimal amount, Guid? memberId = null) => Add(account, amount, 0m, memberId);

    public Posting Credit(string account, decimal amount, Guid? memberId = null) => Add(account, 0m, amount, memberId);

    public IReadOnlyList<LedgerEntry> Build()
    {
        var debits = lines.Sum(l => l.Debit);
        var credits = lines.Sum(l => l.Credit);
        if (lines.Count < 2 || debits != credits)
        {
            throw new InvalidOperationException($"Unbalanced posting {kind}: debits {debits} ≠ credits {credits}.");
        }

        return lines;
    }

    private Posting Add(string account, decimal debit, decimal credit, Guid? memberId)
    {
        if (debit < 0 || credit < 0 || decimal.Round(debit, 2) != debit || decimal.Round(credit, 2) != credit)
        {
            throw new InvalidOperationException("Ledger amounts are non-negative CNY with at most 2 decimals.");
        }

        if (debit != 0 || credit != 0)
        {
            lines.Add(LedgerEntry.Line(id, at, account, memberId, debit, credit, kind, paymentId, reference));
        }

        return this;
    }
}

/// <summary>A nightly comparison lease: one row per day; the node that inserts it runs the day, others skip.</summary>
public sealed class ReconciliationRun
{
    public string Day { get; set; } = "";
    public string Node { get; set; } = "";
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public int Differences { get; set; }
    public string? Error { get; set; }
}

public enum DifferenceKind
{
    /// <summary>The provider moved money the ledger does not know about.</summary>
    MissingInLedger,

    /// <summary>The ledger records a movement the provider's statement lacks.</summary>
    MissingAtProvider,

    AmountMismatch,
}

public sealed class ReconciliationDifference
{
    public long Id { get; set; }
    public string Day { get; set; } = "";
    public DifferenceKind Kind { get; set; }
    public string Movement { get; set; } = "";
    public string Reference { get; set; } = "";
    public string? ProviderTradeNo { get; set; }
    public decimal? LedgerAmount { get; set; }
    public decimal? ProviderAmount { get; set; }
}
