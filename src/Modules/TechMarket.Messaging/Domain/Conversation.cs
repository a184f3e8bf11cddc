namespace TechMarket.Messaging.Domain;

public enum ConversationKind
{
    Direct,
    Support,
}

public enum SupportStatus
{
    Waiting,
    Active,
    Closed,
}

/// <summary>What a conversation is about (a listing, demand or order of another module), shown in the chat.</summary>
public sealed record ConversationContext(string Type, string Id, string Title);

/// <summary>
/// A one-to-one chat between two members about one context (I1), or a member's support conversation with the
/// platform (I2), which operators take, answer, hand over and close.
/// </summary>
public sealed class Conversation
{
    public Guid Id { get; private set; }
    public ConversationKind Kind { get; private set; }

    /// <summary>Direct: the two member ids (ordered) and the context, so starting the same chat twice finds the first.</summary>
    public string? PairKey { get; private set; }
    public string? ContextType { get; private set; }
    public string? ContextId { get; private set; }
    public string? ContextTitle { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset LastMessageAt { get; private set; }

    /// <summary>Support only: the member who asked.</summary>
    public Guid? RequesterId { get; private set; }
    public SupportStatus? Status { get; private set; }
    public Guid? OperatorId { get; private set; }

    /// <summary>Support only: since when the member has been waiting for an operator's answer.</summary>
    public DateTimeOffset? WaitingSince { get; private set; }
    public List<ConversationMember> Members { get; private set; } = [];

    private Conversation()
    {
    }

    public static string KeyOf(Guid a, Guid b, ConversationContext? context)
    {
        var (first, second) = a.CompareTo(b) < 0 ? (a, b) : (b, a);
        return $"{first:N}|{second:N}|{context?.Type}|{context?.Id}";
    }

    public static Conversation Direct(Guid starter, Guid other, ConversationContext? context, DateTimeOffset now)
    {
        var conversation = new Conversation
        {
            Id = Guid.CreateVersion7(now),
            Kind = ConversationKind.Direct,
            PairKey = KeyOf(starter, other, context),
            ContextType = context?.Type,
            ContextId = context?.Id,
            ContextTitle = context?.Title,
            CreatedAt = now,
            LastMessageAt = now,
        };
        conversation.Members.Add(new ConversationMember(conversation.Id, starter));
        conversation.Members.Add(new ConversationMember(conversation.Id, other));
        return conversation;
    }

    public static Conversation Support(Guid requester, string subject, DateTimeOffset now)
    {
        var conversation = new Conversation
        {
            Id = Guid.CreateVersion7(now),
            Kind = ConversationKind.Support,
            ContextType = "support",
            ContextTitle = subject,
            CreatedAt = now,
            LastMessageAt = now,
            RequesterId = requester,
            Status = SupportStatus.Waiting,
            WaitingSince = now,
        };
        conversation.Members.Add(new ConversationMember(conversation.Id, requester));
        return conversation;
    }

    public ConversationContext? Context => ContextType is null ? null : new ConversationContext(ContextType, ContextId ?? "", ContextTitle ?? "");

    public void MessagePosted(Guid senderId, bool byStaff, DateTimeOffset now)
    {
        LastMessageAt = now;
        if (Kind != ConversationKind.Support)
        {
            return;
        }

        if (byStaff && senderId != RequesterId)
        {
            WaitingSince = null;
        }
        else
        {
            WaitingSince ??= now;
            if (Status == SupportStatus.Closed)
            {
                // A member writing into a closed conversation reopens it for the queue.
                Status = OperatorId is null ? SupportStatus.Waiting : SupportStatus.Active;
            }
        }
    }

    public bool Take(Guid operatorId)
    {
        if (Kind != ConversationKind.Support || Status == SupportStatus.Closed)
        {
            return false;
        }

        AssignTo(operatorId);
        return true;
    }

    public bool HandOver(Guid fromOperator, Guid toOperator)
    {
        if (Kind != ConversationKind.Support || Status == SupportStatus.Closed || OperatorId != fromOperator)
        {
            return false;
        }

        AssignTo(toOperator);
        return true;
    }

    public bool Close()
    {
        if (Kind != ConversationKind.Support || Status == SupportStatus.Closed)
        {
            return false;
        }

        Status = SupportStatus.Closed;
        WaitingSince = null;
        return true;
    }

    private void AssignTo(Guid operatorId)
    {
        OperatorId = operatorId;
        Status = SupportStatus.Active;
        if (Members.All(m => m.MemberId != operatorId))
        {
            Members.Add(new ConversationMember(Id, operatorId));
        }
    }
}

/// <summary>A participant and how far they have read (the read receipt).</summary>
public sealed class ConversationMember(Guid conversationId, Guid memberId)
{
    public Guid ConversationId { get; private set; } = conversationId;
    public Guid MemberId { get; private set; } = memberId;
    public long LastReadMessageId { get; private set; }

    public bool ReadUpTo(long messageId)
    {
        if (messageId <= LastReadMessageId)
        {
            return false;
        }

        LastReadMessageId = messageId;
        return true;
    }
}

/// <summary>A chat message, stored before it is pushed so a reconnecting client finds everything.</summary>
public sealed class ChatMessage
{
    public const int MaxLength = 4000;

    public long Id { get; private set; }
    public Guid ConversationId { get; private set; }
    public Guid SenderId { get; private set; }
    public string Body { get; private set; } = "";
    public DateTimeOffset SentAt { get; private set; }

    private ChatMessage()
    {
    }

    public static ChatMessage Post(Guid conversationId, Guid senderId, string body, DateTimeOffset now) =>
        new() { ConversationId = conversationId, SenderId = senderId, Body = body, SentAt = now };

    /// <summary>The id the database gave the message when it was written outside change tracking (bulk insert).</summary>
    internal void Stored(long id) => Id = id;
}
