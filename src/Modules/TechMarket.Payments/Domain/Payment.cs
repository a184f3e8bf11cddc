namespace TechMarket.Payments.Domain;

public enum PaymentStatus
{
    /// <summary>Intent created, payer not yet paid (or not yet known to have paid).</summary>
    Created,

    /// <summary>Money received and held in escrow; released and refunded parts are tracked in amounts.</summary>
    Paid,

    /// <summary>The payer declined or the trade was closed before payment.</summary>
    Closed,
}

/// <summary>
/// One payment from a buyer (payer) to a seller (payee), held in escrow once paid.
/// Held = Amount − Released − Refunded − RefundsPending; every transition bumps <see cref="Version"/> (optimistic concurrency).
/// </summary>
public sealed class Payment
{
    public Guid Id { get; private set; }
    public string Reference { get; private set; } = "";
    public Guid PayerId { get; private set; }
    public Guid PayeeId { get; private set; }
    public decimal Amount { get; private set; }
    public string Currency { get; private set; } = "CNY";
    public string Subject { get; private set; } = "";
    public string Gateway { get; private set; } = "";
    public PaymentStatus Status { get; private set; }
    public string? ProviderTradeNo { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? PaidAt { get; private set; }
    public decimal Released { get; private set; }
    public decimal Refunded { get; private set; }
    public decimal RefundsPending { get; private set; }
    public decimal FeesCharged { get; private set; }
    public int Version { get; private set; }

    public decimal Held => Status == PaymentStatus.Paid ? Amount - Released - Refunded - RefundsPending : 0m;

    private Payment()
    {
    }

    public static Payment Create(string reference, Guid payerId, Guid payeeId, decimal amount, string subject, string gateway, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        Reference = reference,
        PayerId = payerId,
        PayeeId = payeeId,
        Amount = amount,
        Subject = subject,
        Gateway = gateway,
        Status = PaymentStatus.Created,
        CreatedAt = now,
    };

    public void MarkPaid(string providerTradeNo, DateTimeOffset now)
    {
        Require(PaymentStatus.Created);
        Status = PaymentStatus.Paid;
        ProviderTradeNo = providerTradeNo;
        PaidAt = now;
        Version++;
    }

    public void Close()
    {
        Require(PaymentStatus.Created);
        Status = PaymentStatus.Closed;
        Version++;
    }

    public void Release(decimal amount, decimal fee)
    {
        Require(PaymentStatus.Paid);
        if (amount <= 0 || amount > Held)
        {
            throw new InvalidOperationException("Release amount out of range.");
        }

        Released += amount;
        FeesCharged += fee;
        Version++;
    }

    public void ReserveRefund(decimal amount)
    {
        Require(PaymentStatus.Paid);
        if (amount <= 0 || amount > Held)
        {
            throw new InvalidOperationException("Refund amount out of range.");
        }

        RefundsPending += amount;
        Version++;
    }

    public void CompleteRefund(decimal amount, bool succeeded)
    {
        RefundsPending -= amount;
        if (succeeded)
        {
            Refunded += amount;
        }

        Version++;
    }

    private void Require(PaymentStatus expected)
    {
        if (Status != expected)
        {
            throw new InvalidOperationException($"Payment {Reference} is {Status}, not {expected}.");
        }
    }
}

public enum RefundStatus
{
    Pending,
    Succeeded,
    Failed,
}

public sealed class Refund
{
    public Guid Id { get; private set; }
    public Guid PaymentId { get; private set; }
    public string Reference { get; private set; } = "";

    /// <summary>out_request_no: unique per refund so a retried gateway call never refunds twice.</summary>
    public string RequestNo { get; private set; } = "";
    public decimal Amount { get; private set; }
    public string Reason { get; private set; } = "";
    public RefundStatus Status { get; private set; }
    public string? Error { get; private set; }
    public Guid? RequestedBy { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? CompletedAt { get; private set; }

    private Refund()
    {
    }

    public static Refund Request(Payment payment, decimal amount, string reason, Guid? actor, DateTimeOffset now)
    {
        var id = Guid.CreateVersion7(now);
        return new Refund
        {
            Id = id,
            PaymentId = payment.Id,
            Reference = payment.Reference,
            RequestNo = $"R{id:N}",
            Amount = amount,
            Reason = reason,
            Status = RefundStatus.Pending,
            RequestedBy = actor,
            CreatedAt = now,
        };
    }

    public void Complete(bool succeeded, string? error, DateTimeOffset now)
    {
        if (Status != RefundStatus.Pending)
        {
            throw new InvalidOperationException($"Refund {Id} is already {Status}.");
        }

        Status = succeeded ? RefundStatus.Succeeded : RefundStatus.Failed;
        Error = error;
        CompletedAt = now;
    }
}

public enum WithdrawalStatus
{
    Requested,
    Confirmed,
    Rejected,
}

public sealed class Withdrawal
{
    public Guid Id { get; private set; }
    public Guid MemberId { get; private set; }
    public decimal Amount { get; private set; }
    public string BankName { get; private set; } = "";
    public string AccountNumber { get; private set; } = "";
    public string AccountName { get; private set; } = "";
    public WithdrawalStatus Status { get; private set; }
    public DateTimeOffset RequestedAt { get; private set; }
    public DateTimeOffset? DecidedAt { get; private set; }
    public Guid? DecidedBy { get; private set; }
    public string? Note { get; private set; }

    private Withdrawal()
    {
    }

    public string MaskedAccount => AccountNumber.Length <= 4 ? AccountNumber : new string('*', AccountNumber.Length - 4) + AccountNumber[^4..];

    public static Withdrawal Request(Guid memberId, decimal amount, string bankName, string accountNumber, string accountName, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        MemberId = memberId,
        Amount = amount,
        BankName = bankName,
        AccountNumber = accountNumber,
        AccountName = accountName,
        Status = WithdrawalStatus.Requested,
        RequestedAt = now,
    };

    public void Decide(bool confirm, Guid operatorId, string? note, DateTimeOffset now)
    {
        if (Status != WithdrawalStatus.Requested)
        {
            throw new InvalidOperationException($"Withdrawal {Id} is already {Status}.");
        }

        Status = confirm ? WithdrawalStatus.Confirmed : WithdrawalStatus.Rejected;
        DecidedBy = operatorId;
        DecidedAt = now;
        Note = note;
    }
}

/// <summary>A rejected callback or other suspicious input: who sent what, and why it was refused.</summary>
public sealed class SecurityEvent
{
    public long Id { get; private set; }
    public DateTimeOffset At { get; private set; }
    public string Kind { get; private set; } = "";
    public string? Reference { get; private set; }
    public string? RemoteAddress { get; private set; }
    public string Detail { get; private set; } = "";

    private SecurityEvent()
    {
    }

    public static SecurityEvent Record(DateTimeOffset at, string kind, string? reference, string? remote, string detail) => new()
    {
        At = at,
        Kind = kind,
        Reference = reference is { Length: > 64 } ? reference[..64] : reference,
        RemoteAddress = remote,
        Detail = detail.Length > 1000 ? detail[..1000] : detail,
    };
}
