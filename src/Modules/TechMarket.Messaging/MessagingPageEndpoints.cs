using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Localization;
using TechMarket.Kernel.Files;
using TechMarket.Kernel.Security;
using TechMarket.Messaging.Features.Chat;
using TechMarket.Messaging.Features.Mail;
using TechMarket.Messaging.Features.Notifications;
using TechMarket.Messaging.Features.Support;

namespace TechMarket.Messaging;

/// <summary>
/// Cookie-authenticated form posts and downloads behind the pages. Form posts carry the antiforgery token
/// (checked by UseAntiforgery for [FromForm] endpoints) and answer with a redirect back to the page.
/// </summary>
internal static class MessagingPageEndpoints
{
    public static IEndpointRouteBuilder MapMessagingPageEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // Every form post here must carry the antiforgery token, whether or not the handler binds [FromForm].
        var app = endpoints.MapGroup("").WithMetadata(new RequireAntiforgeryTokenAttribute());
        app.MapPost("/notifications/read-all", async (ClaimsPrincipal user, NotificationService service, [FromForm] string? returnUrl) =>
        {
            await service.MarkReadAsync(user.RequiredMemberId(), null);
            return TypedResults.LocalRedirect("/notifications");
        }).RequireAuthorization();

        app.MapPost("/notifications/preferences", async (ClaimsPrincipal user, NotificationService service, HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            var culture = form["culture"].ToString() == "en" ? "en" : "zh-CN";
            await service.SavePreferencesAsync(user.RequiredMemberId(), culture, form["emailKinds"].Select(k => k ?? ""));
            return TypedResults.LocalRedirect("/notifications?saved=1");
        }).RequireAuthorization();

        app.MapPost("/chat/{id:guid}/send", async (Guid id, ClaimsPrincipal user, ChatService chat, IStringLocalizer<MessagingStrings> text, [FromForm] string? body) =>
        {
            var result = await chat.SendAsync(user.RequiredMemberId(), isStaff: false, id, body);
            return result.Failure switch
            {
                ChatFailure.None => Results.LocalRedirect($"/chat/{id}"),
                ChatFailure.NotFound => Results.NotFound(),
                _ => Results.LocalRedirect($"/chat/{id}?error={Uri.EscapeDataString(ChatErrors.Describe(result, text))}"),
            };
        }).RequireAuthorization(Policies.Verified);

        app.MapPost("/chat/start", async (ClaimsPrincipal user, ChatService chat, IStringLocalizer<MessagingStrings> text,
            [FromForm] Guid recipientId, [FromForm] string? contextType, [FromForm] string? contextId, [FromForm] string? contextTitle) =>
        {
            var context = string.IsNullOrWhiteSpace(contextType) ? null : new Domain.ConversationContext(Cut(contextType, 32), Cut(contextId ?? "", 64), Cut(contextTitle ?? "", 200));
            var result = await chat.StartAsync(user.RequiredMemberId(), recipientId, context);
            return result.Conversation is { } c
                ? Results.LocalRedirect($"/chat/{c.Id}")
                : Results.LocalRedirect($"/chat?error={Uri.EscapeDataString(text[$"Chat.Error.{result.Failure}"])}");
        }).RequireAuthorization(Policies.Verified);

        app.MapPost("/mail/send", async (HttpRequest request, ClaimsPrincipal user, MailService mail, IBlobStore blobs, IStringLocalizer<MessagingStrings> text) =>
        {
            // The antiforgery check has already read the form (files spill to temp files on disk, not memory).
            var form = await request.ReadFormAsync();
            var draft = new MailDraft
            {
                Subject = form["subject"].ToString(),
                Body = form["body"].ToString(),
                ReplyTo = Guid.TryParse(form["replyTo"], out var r) ? r : null,
                ContextType = NullIfEmpty(form["contextType"]),
                ContextId = NullIfEmpty(form["contextId"]),
                ContextTitle = NullIfEmpty(form["contextTitle"]),
            };
            draft.To.AddRange(form["to"].Select(v => Guid.TryParse(v, out var id) ? id : Guid.Empty));
            var sender = user.RequiredMemberId();
            var errors = await mail.ValidateAsync(sender, draft);
            var files = form.Files.Where(f => f.Length > 0).ToList();
            if (errors.Count == 0 && files.Count > mail.MaxAttachments)
            {
                errors["attachments"] = "Mail.Error.TooManyFiles";
            }

            foreach (var file in files.TakeWhile(_ => errors.Count == 0))
            {
                try
                {
                    await using var stream = file.OpenReadStream();
                    var blob = await blobs.PutAsync(stream, mail.MaxAttachmentBytes);
                    draft.Files.Add((Path.GetFileName(file.FileName), file.ContentType ?? "application/octet-stream", blob));
                }
                catch (BlobTooLargeException)
                {
                    return Results.LocalRedirect($"/mail/compose?error={Uri.EscapeDataString(text["Mail.Error.TooLarge", file.FileName, mail.MaxAttachmentBytes / (1024 * 1024)])}");
                }
            }

            if (errors.Count > 0)
            {
                var message = string.Join(" ", errors.Values.Select(k => text[k, mail.MaxAttachments].Value));
                return Results.LocalRedirect($"/mail/compose?error={Uri.EscapeDataString(message)}");
            }

            var id = await mail.SendAsync(sender, draft);
            return Results.LocalRedirect($"/mail/{id}?sent=1");
        }).RequireAuthorization(Policies.Verified);

        app.MapGet("/mail/{id:guid}/attachments/{attachmentId:guid}", async (Guid id, Guid attachmentId, ClaimsPrincipal user, MailService mail) =>
            await mail.OpenAttachmentAsync(user.RequiredMemberId(), id, attachmentId) is { } found
                ? Results.File(found.Content, "application/octet-stream", found.Attachment.FileName, enableRangeProcessing: true)
                : Results.NotFound()).RequireAuthorization(Policies.Verified);

        app.MapPost("/support/open", async (ClaimsPrincipal user, SupportService support, [FromForm] string? subject, [FromForm] string? message) =>
        {
            var (conversation, failure) = await support.OpenAsync(user.RequiredMemberId(), subject ?? "", message ?? "");
            return failure == SupportFailure.None && conversation is not null
                ? Results.LocalRedirect($"/support/{conversation.Id}")
                : Results.LocalRedirect("/support?error=1");
        }).RequireAuthorization();

        app.MapPost("/support/{id:guid}/send", async (Guid id, ClaimsPrincipal user, ChatService chat, IStringLocalizer<MessagingStrings> text, [FromForm] string? body) =>
        {
            var result = await chat.SendAsync(user.RequiredMemberId(), user.IsStaff(), id, body);
            return result.Failure switch
            {
                ChatFailure.None => Results.LocalRedirect($"/support/{id}"),
                ChatFailure.NotFound => Results.NotFound(),
                _ => Results.LocalRedirect($"/support/{id}?error={Uri.EscapeDataString(ChatErrors.Describe(result, text))}"),
            };
        }).RequireAuthorization();

        var console = app.MapGroup("/operator/support").RequireAuthorization(Policies.Operator);
        console.MapPost("/{id:guid}/take", async (Guid id, ClaimsPrincipal user, SupportService support) =>
        {
            await support.TakeAsync(user.RequiredMemberId(), id);
            return TypedResults.LocalRedirect($"/support/{id}");
        });
        console.MapPost("/{id:guid}/close", async (Guid id, ClaimsPrincipal user, SupportService support) =>
        {
            await support.CloseAsync(user.RequiredMemberId(), id);
            return TypedResults.LocalRedirect("/operator/support");
        });
        console.MapPost("/{id:guid}/hand-over", async (Guid id, ClaimsPrincipal user, SupportService support, IStringLocalizer<MessagingStrings> text, [FromForm] Guid operatorId) =>
        {
            var failure = await support.HandOverAsync(user.RequiredMemberId(), id, operatorId);
            return failure == SupportFailure.NotAnOperator
                ? TypedResults.LocalRedirect($"/support/{id}?error={Uri.EscapeDataString(text["Support.Error.NotAnOperator"])}")
                : TypedResults.LocalRedirect("/operator/support");
        });
        return endpoints;
    }

    private static string Cut(string value, int max) => value.Length > max ? value[..max] : value;

    private static string? NullIfEmpty(Microsoft.Extensions.Primitives.StringValues value) => string.IsNullOrWhiteSpace(value) ? null : value.ToString();
}
