using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Localization;
using Microsoft.Net.Http.Headers;
using TechMarket.Kernel.Files;
using TechMarket.Kernel.Http;
using TechMarket.Kernel.Members;
using TechMarket.Kernel.Security;
using TechMarket.Messaging.Domain;
using TechMarket.Messaging.Features.Chat;
using TechMarket.Messaging.Features.Mail;
using TechMarket.Messaging.Features.Notifications;
using TechMarket.Messaging.Features.Support;

namespace TechMarket.Messaging;

public sealed record StartConversationRequest(Guid RecipientId, ConversationContext? Context);

public sealed record PostMessageRequest(string? Body);

public sealed record MarkReadRequest(long MessageId);

public sealed record PreferencesRequest(string? Culture, IReadOnlyList<string>? EmailKinds);

public sealed record OpenSupportRequest(string? Subject, string? Message);

public sealed record HandOverRequest(Guid OperatorId);

public sealed record UnreadCounts(int Notifications, int Chat, int Mail);

public sealed record MailCreated(Guid Id);

public static class MessagingApi
{
    /// <summary>Same name as IdentityApi.ApiPolicy: bearer tokens only on /api/v1.</summary>
    private const string ApiPolicy = "ApiBearer";

    public static IEndpointRouteBuilder MapMessagingApi(this IEndpointRouteBuilder app)
    {
        var notifications = app.MapGroup("/api/v1/notifications").WithTags("Notifications").RequireAuthorization(ApiPolicy).DisableAntiforgery();
        notifications.MapGet("/", ListNotifications);
        notifications.MapGet("/unread", GetUnread);
        notifications.MapPost("/{id:long}/read", MarkNotificationRead);
        notifications.MapPost("/read-all", MarkAllNotificationsRead);
        notifications.MapGet("/preferences", GetPreferences);
        notifications.MapPut("/preferences", SavePreferences);

        var conversations = app.MapGroup("/api/v1/conversations").WithTags("Chat").RequireAuthorization(ApiPolicy, Policies.Verified).DisableAntiforgery();
        conversations.MapGet("/", ListConversations);
        conversations.MapPost("/", StartConversation);
        conversations.MapGet("/{id:guid}", GetConversation);
        conversations.MapGet("/{id:guid}/messages", GetMessages);
        conversations.MapPost("/{id:guid}/messages", PostMessage);
        conversations.MapPost("/{id:guid}/read", MarkConversationRead);

        var mail = app.MapGroup("/api/v1/mail").WithTags("Mail").RequireAuthorization(ApiPolicy, Policies.Verified).DisableAntiforgery();
        mail.MapGet("/", ListMail);
        mail.MapPost("/", SendMail);
        mail.MapGet("/recipients", FindRecipients);
        mail.MapGet("/{id:guid}", OpenMail);
        mail.MapGet("/threads/{threadId:guid}", GetThread);
        mail.MapGet("/{id:guid}/attachments/{attachmentId:guid}", DownloadAttachment);

        // Support is open to every signed-in member (unverified ones often need help verifying).
        var support = app.MapGroup("/api/v1/support").WithTags("Support").RequireAuthorization(ApiPolicy).DisableAntiforgery();
        support.MapGet("/", ListMySupport);
        support.MapPost("/", OpenSupport);
        support.MapGet("/{id:guid}/messages", GetSupportMessages);
        support.MapPost("/{id:guid}/messages", PostSupportMessage);
        support.MapGet("/queue", SupportQueue).RequireAuthorization(Policies.Operator);
        support.MapPost("/{id:guid}/take", TakeSupport).RequireAuthorization(Policies.Operator);
        support.MapPost("/{id:guid}/hand-over", HandOverSupport).RequireAuthorization(Policies.Operator);
        support.MapPost("/{id:guid}/close", CloseSupport).RequireAuthorization(Policies.Operator);
        return app;
    }

    // Notifications

    public static async Task<Ok<NotificationPage>> ListNotifications(ClaimsPrincipal user, NotificationService service, long? before, int? take, CancellationToken ct) =>
        TypedResults.Ok(await service.ListAsync(user.RequiredMemberId(), before, take ?? 20, ct));

    public static async Task<Ok<UnreadCounts>> GetUnread(ClaimsPrincipal user, NotificationService notifications, ChatService chat, MailService mail, CancellationToken ct)
    {
        var id = user.RequiredMemberId();
        return TypedResults.Ok(new UnreadCounts(await notifications.UnreadCountAsync(id, ct), await chat.UnreadTotalAsync(id, ct), await mail.UnreadCountAsync(id, ct)));
    }

    public static async Task<Results<NoContent, NotFound>> MarkNotificationRead(long id, ClaimsPrincipal user, NotificationService service, CancellationToken ct) =>
        await service.MarkReadAsync(user.RequiredMemberId(), id, ct) ? TypedResults.NoContent() : TypedResults.NotFound();

    public static async Task<NoContent> MarkAllNotificationsRead(ClaimsPrincipal user, NotificationService service, CancellationToken ct)
    {
        await service.MarkReadAsync(user.RequiredMemberId(), null, ct);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<PreferencesDto>> GetPreferences(ClaimsPrincipal user, NotificationService service, CancellationToken ct) =>
        TypedResults.Ok(await service.GetPreferencesAsync(user.RequiredMemberId(), ct));

    public static async Task<Results<Ok<PreferencesDto>, ValidationProblem>> SavePreferences(PreferencesRequest request, ClaimsPrincipal user, NotificationService service, IStringLocalizer<MessagingStrings> text, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (request.Culture is not ("zh-CN" or "en"))
        {
            errors.Add("culture", text["Preferences.Error.Culture"]);
        }

        if (request.EmailKinds?.Any(k => !Kernel.Notifications.NotificationKinds.All.Contains(k)) == true)
        {
            errors.Add("emailKinds", text["Preferences.Error.Kind"]);
        }

        return errors.IsEmpty
            ? TypedResults.Ok(await service.SavePreferencesAsync(user.RequiredMemberId(), request.Culture!, request.EmailKinds ?? [], ct))
            : TypedResults.ValidationProblem(errors.ToDictionary());
    }

    // Chat

    public static async Task<Ok<IReadOnlyList<ConversationDto>>> ListConversations(ClaimsPrincipal user, ChatService chat, CancellationToken ct) =>
        TypedResults.Ok(await chat.ListAsync(user.RequiredMemberId(), ConversationKind.Direct, ct));

    public static async Task<Results<Ok<ConversationDto>, ValidationProblem>> StartConversation(StartConversationRequest request, ClaimsPrincipal user, ChatService chat, IStringLocalizer<MessagingStrings> text, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (request.Context is { } c && (string.IsNullOrWhiteSpace(c.Type) || c.Type.Length > 32 || (c.Id?.Length ?? 0) > 64 || (c.Title?.Length ?? 0) > 200))
        {
            errors.Add("context", text["Chat.Error.Context"]);
        }

        if (!errors.IsEmpty)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        var result = await chat.StartAsync(user.RequiredMemberId(), request.RecipientId, request.Context, ct);
        return result.Conversation is { } conversation
            ? TypedResults.Ok(conversation)
            : TypedResults.ValidationProblem(errors.Add("recipientId", text[$"Chat.Error.{result.Failure}"]).ToDictionary());
    }

    public static async Task<Results<Ok<ConversationDto>, NotFound>> GetConversation(Guid id, ClaimsPrincipal user, ChatService chat, CancellationToken ct) =>
        await chat.GetAsync(user.RequiredMemberId(), isStaff: false, id, ct) is { } c ? TypedResults.Ok(c) : TypedResults.NotFound();

    public static async Task<Results<Ok<ChatHistory>, NotFound>> GetMessages(Guid id, ClaimsPrincipal user, ChatService chat, long? before, int? take, CancellationToken ct) =>
        await chat.HistoryAsync(user.RequiredMemberId(), isStaff: false, id, before, take ?? 50, ct) is { } h ? TypedResults.Ok(h) : TypedResults.NotFound();

    public static Task<IResult> PostMessage(Guid id, PostMessageRequest request, ClaimsPrincipal user, ChatService chat, IStringLocalizer<MessagingStrings> text, HttpContext context, CancellationToken ct) =>
        SendChat(id, request, user, isStaff: false, chat, text, context, ct);

    public static async Task<Results<NoContent, NotFound>> MarkConversationRead(Guid id, MarkReadRequest request, ClaimsPrincipal user, ChatService chat, CancellationToken ct) =>
        await chat.MarkReadAsync(user.RequiredMemberId(), id, request.MessageId, ct) ? TypedResults.NoContent() : TypedResults.NotFound();

    private static async Task<IResult> SendChat(Guid id, PostMessageRequest request, ClaimsPrincipal user, bool isStaff, ChatService chat, IStringLocalizer<MessagingStrings> text, HttpContext context, CancellationToken ct)
    {
        var result = await chat.SendAsync(user.RequiredMemberId(), isStaff, id, request.Body, ct);
        var message = ChatErrors.Describe(result, text);
        switch (result.Failure)
        {
            case ChatFailure.None:
                return TypedResults.Created($"/api/v1/conversations/{id}/messages/{result.Message!.Id}", result.Message);
            case ChatFailure.NotFound:
                return TypedResults.NotFound();
            case ChatFailure.RateLimited:
                context.Response.Headers.RetryAfter = result.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return TypedResults.Problem(message, statusCode: StatusCodes.Status429TooManyRequests, title: text["Chat.Error.RateLimited.Title"]);
            case ChatFailure.NotVerified:
                return TypedResults.Problem(message, statusCode: StatusCodes.Status403Forbidden);
            default:
                return TypedResults.ValidationProblem(new FieldErrors().Add("body", message).ToDictionary());
        }
    }

    // Mail

    public static async Task<Ok<IReadOnlyList<MailSummaryDto>>> ListMail(ClaimsPrincipal user, MailService mail, string? box, string? search, int? page, CancellationToken ct) =>
        TypedResults.Ok(await mail.ListAsync(user.RequiredMemberId(), string.Equals(box, "sent", StringComparison.OrdinalIgnoreCase) ? MailBox.Sent : MailBox.Inbox, search, page ?? 1, 20, ct));

    public static async Task<Ok<IReadOnlyList<MemberCard>>> FindRecipients(string? name, IMemberContacts contacts, CancellationToken ct) =>
        TypedResults.Ok(string.IsNullOrWhiteSpace(name) ? [] : await contacts.FindVerifiedByNameAsync(name.Trim(), 20, ct));

    public static async Task<Results<Ok<MailDto>, NotFound>> OpenMail(Guid id, ClaimsPrincipal user, MailService mail, CancellationToken ct) =>
        await mail.OpenAsync(user.RequiredMemberId(), id, ct) is { } m ? TypedResults.Ok(m) : TypedResults.NotFound();

    public static async Task<Results<Ok<IReadOnlyList<MailDto>>, NotFound>> GetThread(Guid threadId, ClaimsPrincipal user, MailService mail, CancellationToken ct) =>
        await mail.ThreadAsync(user.RequiredMemberId(), threadId, ct) is { Count: > 0 } t ? TypedResults.Ok(t) : TypedResults.NotFound();

    public static async Task<Results<FileStreamHttpResult, NotFound>> DownloadAttachment(Guid id, Guid attachmentId, ClaimsPrincipal user, MailService mail, CancellationToken ct)
    {
        if (await mail.OpenAttachmentAsync(user.RequiredMemberId(), id, attachmentId, ct) is not { } found)
        {
            return TypedResults.NotFound();
        }

        // Always a download (attachment disposition, nosniff is global): a member's HTML file never runs on our origin.
        return TypedResults.File(found.Content, "application/octet-stream", found.Attachment.FileName, enableRangeProcessing: true);
    }

    /// <summary>
    /// multipart/form-data: fields to (repeatable member id), subject, body, replyTo?, contextType?, contextId?, contextTitle?
    /// first, then files named "attachments". Files are streamed into the blob store as they arrive.
    /// </summary>
    public static async Task<IResult> SendMail(HttpContext context, ClaimsPrincipal user, MailService mail, IBlobStore blobs, IStringLocalizer<MessagingStrings> text, CancellationToken ct)
    {
        var sender = user.RequiredMemberId();
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = (mail.MaxAttachmentBytes * mail.MaxAttachments) + (1024 * 1024);
        }

        var boundary = MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var mediaType) ? HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value : null;
        if (string.IsNullOrEmpty(boundary) || !context.Request.HasFormContentType)
        {
            return TypedResults.ValidationProblem(new FieldErrors().Add("body", text["Mail.Error.Multipart"]).ToDictionary());
        }

        var draft = new MailDraft();
        var reader = new MultipartReader(boundary, context.Request.Body) { HeadersLengthLimit = 16 * 1024 };
        var validated = false;
        while (await reader.ReadNextSectionAsync(ct) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
            {
                continue;
            }

            var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
            if (disposition.IsFileDisposition())
            {
                if (!validated)
                {
                    if (await Invalid(sender, draft, mail, text, ct) is { } problem)
                    {
                        return problem;
                    }

                    validated = true;
                }

                if (draft.Files.Count >= mail.MaxAttachments)
                {
                    return TypedResults.ValidationProblem(new FieldErrors().Add("attachments", text["Mail.Error.TooManyFiles", mail.MaxAttachments]).ToDictionary());
                }

                var fileName = Path.GetFileName(HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "file");
                fileName = fileName.Length > 255 ? fileName[^255..] : fileName;
                try
                {
                    var blob = await blobs.PutAsync(section.Body, mail.MaxAttachmentBytes, ct);
                    draft.Files.Add((fileName, section.ContentType ?? "application/octet-stream", blob));
                }
                catch (BlobTooLargeException)
                {
                    return TypedResults.ValidationProblem(new FieldErrors().Add("attachments", text["Mail.Error.TooLarge", fileName, mail.MaxAttachmentBytes / (1024 * 1024)]).ToDictionary());
                }

                continue;
            }

            using var streamReader = new StreamReader(section.Body);
            var value = await ReadLimitedAsync(streamReader, MailMessage.MaxBody + 1);
            switch (name)
            {
                case "to":
                    if (Guid.TryParse(value, out var to))
                    {
                        draft.To.Add(to);
                    }
                    else
                    {
                        return TypedResults.ValidationProblem(new FieldErrors().Add("to", text["Mail.Error.RecipientNotVerified"]).ToDictionary());
                    }

                    break;
                case "subject": draft.Subject = value; break;
                case "body": draft.Body = value; break;
                case "replyTo": draft.ReplyTo = Guid.TryParse(value, out var r) ? r : null; break;
                case "contextType": draft.ContextType = Truncate(value, 32); break;
                case "contextId": draft.ContextId = Truncate(value, 64); break;
                case "contextTitle": draft.ContextTitle = Truncate(value, 200); break;
            }
        }

        if (!validated && await Invalid(sender, draft, mail, text, ct) is { } invalid)
        {
            return invalid;
        }

        var id = await mail.SendAsync(sender, draft, ct);
        return TypedResults.Created($"/api/v1/mail/{id}", new MailCreated(id));
    }

    private static async Task<IResult?> Invalid(Guid sender, MailDraft draft, MailService mail, IStringLocalizer<MessagingStrings> text, CancellationToken ct)
    {
        var errors = await mail.ValidateAsync(sender, draft, ct);
        if (errors.Count == 0)
        {
            return null;
        }

        var fields = new FieldErrors();
        foreach (var (field, key) in errors)
        {
            fields.Add(field, text[key]);
        }

        return TypedResults.ValidationProblem(fields.ToDictionary());
    }

    private static async Task<string> ReadLimitedAsync(StreamReader reader, int max)
    {
        var buffer = new char[Math.Min(max, 4096)];
        var builder = new System.Text.StringBuilder();
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0 && builder.Length < max)
        {
            builder.Append(buffer, 0, read);
        }

        return builder.ToString();
    }

    private static string Truncate(string value, int max) => value.Length > max ? value[..max] : value;

    // Support

    public static async Task<Ok<IReadOnlyList<ConversationDto>>> ListMySupport(ClaimsPrincipal user, ChatService chat, CancellationToken ct) =>
        TypedResults.Ok(await chat.ListAsync(user.RequiredMemberId(), ConversationKind.Support, ct));

    public static async Task<Results<Created<ConversationDto>, ValidationProblem>> OpenSupport(OpenSupportRequest request, ClaimsPrincipal user, SupportService support, IStringLocalizer<MessagingStrings> text, CancellationToken ct)
    {
        var (conversation, failure) = await support.OpenAsync(user.RequiredMemberId(), request.Subject ?? "", request.Message ?? "", ct);
        return failure == SupportFailure.None && conversation is not null
            ? TypedResults.Created($"/api/v1/support/{conversation.Id}", conversation)
            : TypedResults.ValidationProblem(new FieldErrors().Add("subject", text["Support.Error.Empty"]).ToDictionary());
    }

    public static async Task<Results<Ok<ChatHistory>, NotFound>> GetSupportMessages(Guid id, ClaimsPrincipal user, ChatService chat, long? before, int? take, CancellationToken ct) =>
        await chat.HistoryAsync(user.RequiredMemberId(), user.IsStaff(), id, before, take ?? 50, ct) is { } h ? TypedResults.Ok(h) : TypedResults.NotFound();

    public static Task<IResult> PostSupportMessage(Guid id, PostMessageRequest request, ClaimsPrincipal user, ChatService chat, IStringLocalizer<MessagingStrings> text, HttpContext context, CancellationToken ct) =>
        SendChat(id, request, user, user.IsStaff(), chat, text, context, ct);

    public static async Task<Ok<IReadOnlyList<SupportQueueItem>>> SupportQueue(ClaimsPrincipal user, SupportService support, bool? closed, CancellationToken ct) =>
        TypedResults.Ok(await support.QueueAsync(user.RequiredMemberId(), closed ?? false, ct));

    public static async Task<IResult> TakeSupport(Guid id, ClaimsPrincipal user, SupportService support, IStringLocalizer<MessagingStrings> text, CancellationToken ct) =>
        SupportOutcome(await support.TakeAsync(user.RequiredMemberId(), id, ct), text);

    public static async Task<IResult> HandOverSupport(Guid id, HandOverRequest request, ClaimsPrincipal user, SupportService support, IStringLocalizer<MessagingStrings> text, CancellationToken ct) =>
        SupportOutcome(await support.HandOverAsync(user.RequiredMemberId(), id, request.OperatorId, ct), text);

    public static async Task<IResult> CloseSupport(Guid id, ClaimsPrincipal user, SupportService support, IStringLocalizer<MessagingStrings> text, CancellationToken ct) =>
        SupportOutcome(await support.CloseAsync(user.RequiredMemberId(), id, ct), text);

    private static IResult SupportOutcome(SupportFailure failure, IStringLocalizer<MessagingStrings> text) => failure switch
    {
        SupportFailure.None => TypedResults.NoContent(),
        SupportFailure.NotFound => TypedResults.NotFound(),
        SupportFailure.NotAnOperator => TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["operatorId"] = [text["Support.Error.NotAnOperator"]] }),
        _ => TypedResults.Problem(text["Support.Error.InvalidState"], statusCode: StatusCodes.Status409Conflict),
    };
}
