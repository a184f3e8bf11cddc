using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Localization;
using TechMarket.Kernel.Security;
using TechMarket.Messaging.Features.Chat;

namespace TechMarket.Messaging.Realtime;

/// <summary>
/// The real-time channel for web pages (cookie) and apps (bearer token, on WebSockets as ?access_token=).
/// Server → client events: "message", "typing", "read", "notification", "support-queue".
/// Every method checks that the caller is a participant; a stranger gets the same answer as for a missing conversation.
/// </summary>
[Authorize(AuthenticationSchemes = AuthSchemes)]
public sealed class MessagingHub(ChatService chat, IStringLocalizer<MessagingStrings> text) : Hub
{
    public const string Path = "/hubs/messaging";
    public const string OperatorsGroup = "operators";
    internal const string AuthSchemes = "Identity.Bearer,Identity.Application";

    public override async Task OnConnectedAsync()
    {
        // A group per member: the in-memory hub finds a group by key, whereas sending to a user scans every connection.
        await Groups.AddToGroupAsync(Context.ConnectionId, MemberGroup(Caller));
        if (Context.User?.IsStaff() == true)
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, OperatorsGroup);
        }

        await base.OnConnectedAsync();
    }

    public async Task<ChatMessageDto> Send(Guid conversationId, string body)
    {
        var result = await chat.SendAsync(Caller, Context.User!.IsStaff(), conversationId, body, Context.ConnectionAborted);
        return result.Message ?? throw new HubException(ChatErrors.Describe(result, text));
    }

    public async Task<ChatHistory> History(Guid conversationId, long? before = null, int take = 50)
    {
        var history = await chat.HistoryAsync(Caller, Context.User!.IsStaff(), conversationId, before, take, Context.ConnectionAborted);
        return history ?? throw new HubException(text["Chat.Error.NotFound"]);
    }

    public async Task MarkRead(Guid conversationId, long messageId)
    {
        if (!await chat.MarkReadAsync(Caller, conversationId, messageId, Context.ConnectionAborted))
        {
            throw new HubException(text["Chat.Error.NotFound"]);
        }
    }

    public async Task Typing(Guid conversationId)
    {
        if (!await chat.TypingAsync(Caller, Context.User!.IsStaff(), conversationId, Context.ConnectionAborted))
        {
            throw new HubException(text["Chat.Error.NotFound"]);
        }
    }

    public static string MemberGroup(Guid memberId) => $"m:{memberId:N}";

    private Guid Caller => Context.User?.MemberId() ?? throw new HubException("Unauthorized");
}

internal static class HubAuthentication
{
    /// <summary>Browsers cannot set headers on a WebSocket: the app passes its bearer token as ?access_token= on the hub path only.</summary>
    public static Task ReadTokenFromQuery(Microsoft.AspNetCore.Authentication.BearerToken.MessageReceivedContext context)
    {
        var token = context.Request.Query["access_token"];
        if (!string.IsNullOrEmpty(token) && context.HttpContext.Request.Path.StartsWithSegments(MessagingHub.Path))
        {
            context.Token = token;
        }

        return Task.CompletedTask;
    }
}
