using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using TechMarket.Kernel.Security;

namespace TechMarket.Orders.Realtime;

/// <summary>
/// Live order updates: each member joins their own group (buyer tracking and seller console); operators join the
/// monitoring group. With the Redis backplane every node's pushes reach every node's connections.
/// </summary>
// Pages connect with the sign-in cookie, apps with their bearer token.
[Authorize(AuthenticationSchemes = "Identity.Bearer,Identity.Application")]
public sealed class OrdersHub : Hub
{
    public const string Path = "/hubs/orders";
    public const string OperatorsGroup = "orders-operators";
    public const string OrderChanged = "orderChanged";

    public static string MemberGroup(Guid memberId) => $"orders-member-{memberId:N}";

    public override async Task OnConnectedAsync()
    {
        if (Context.User?.MemberId() is { } id)
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, MemberGroup(id));
        }

        if (Context.User?.IsStaff() == true)
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, OperatorsGroup);
        }

        await base.OnConnectedAsync();
    }
}
