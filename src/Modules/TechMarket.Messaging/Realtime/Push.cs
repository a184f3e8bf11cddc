using Microsoft.AspNetCore.SignalR;

namespace TechMarket.Messaging.Realtime;

/// <summary>Pushes to a member's open connections on any node (through the Redis backplane when configured).</summary>
public sealed class Push(IHubContext<MessagingHub> hub)
{
    public Task ToMembersAsync(IEnumerable<Guid> memberIds, string method, object payload, CancellationToken cancellationToken = default) =>
        hub.Clients.Groups(memberIds.Select(MessagingHub.MemberGroup).ToList()).SendAsync(method, payload, cancellationToken);

    public Task ToOperatorsAsync(string method, object payload, CancellationToken cancellationToken = default) =>
        hub.Clients.Group(MessagingHub.OperatorsGroup).SendAsync(method, payload, cancellationToken);
}
