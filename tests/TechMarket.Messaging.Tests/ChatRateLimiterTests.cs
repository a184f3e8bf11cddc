using Microsoft.Extensions.Time.Testing;
using TechMarket.Messaging.Features.Chat;
using TechMarket.Messaging.Features.Notifications;

namespace TechMarket.Messaging.Tests;

public sealed class ChatRateLimiterTests
{
    private static readonly MessagingOptions Options = new() { ChatMessagesPerWindow = 3, ChatWindow = TimeSpan.FromSeconds(10) };

    [Fact]
    public void Member_over_the_limit_is_told_when_to_retry_and_may_write_again_after_the_window()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-23T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var limiter = new ChatRateLimiter(Options, clock);
        var member = Guid.NewGuid();

        var allowed = Enumerable.Range(0, 3).Select(_ => limiter.TryAcquire(member, out _)).ToList();
        clock.Advance(TimeSpan.FromSeconds(4));
        var refused = limiter.TryAcquire(member, out var retryAfter);
        var other = limiter.TryAcquire(Guid.NewGuid(), out _);
        clock.Advance(TimeSpan.FromSeconds(6));
        var again = limiter.TryAcquire(member, out _);

        Assert.All(allowed, Assert.True);
        Assert.False(refused);
        Assert.Equal(6, retryAfter);
        Assert.True(other);
        Assert.True(again);
    }

    [Fact]
    public void Members_who_stopped_writing_are_forgotten_after_their_window()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-23T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var limiter = new ChatRateLimiter(Options, clock);
        for (var i = 0; i < 1000; i++)
        {
            limiter.TryAcquire(Guid.NewGuid(), out _);
        }

        var whileActive = limiter.Tracked;
        clock.Advance(TimeSpan.FromSeconds(11));
        var active = Guid.NewGuid();
        limiter.TryAcquire(active, out _);
        var afterwards = limiter.Tracked;
        // The one member still writing keeps their count.
        limiter.TryAcquire(active, out _);
        limiter.TryAcquire(active, out _);

        Assert.Equal(1000, whileActive);
        Assert.Equal(1, afterwards);
        Assert.False(limiter.TryAcquire(active, out _));
    }
}
