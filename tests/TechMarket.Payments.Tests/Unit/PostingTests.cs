using TechMarket.Payments.Domain;

namespace TechMarket.Payments.Tests.Unit;

public sealed class PostingTests
{
    [Fact]
    public void Unbalanced_posting_is_refused()
    {
        var posting = new Posting("test", DateTimeOffset.UnixEpoch).Debit(Accounts.Escrow, 10m).Credit(Accounts.PlatformFees, 9.99m);

        Assert.Throws<InvalidOperationException>(() => posting.Build());
    }

    [Fact]
    public void Amounts_below_a_fen_or_negative_are_refused()
    {
        Assert.Throws<InvalidOperationException>(() => new Posting("test", DateTimeOffset.UnixEpoch).Debit(Accounts.Escrow, 0.001m));
        Assert.Throws<InvalidOperationException>(() => new Posting("test", DateTimeOffset.UnixEpoch).Credit(Accounts.Escrow, -1m));
    }

    [Fact]
    public void Balanced_posting_shares_one_id()
    {
        var lines = new Posting("release", DateTimeOffset.UnixEpoch).Debit(Accounts.Escrow, 100m).Credit(Accounts.SellerPayable(Guid.NewGuid()), 95m).Credit(Accounts.PlatformFees, 5m).Build();

        Assert.Equal(3, lines.Count);
        Assert.Single(lines.Select(l => l.PostingId).Distinct());
    }
}
