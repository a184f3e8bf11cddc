using TechMarket.Orders.Domain;

namespace TechMarket.Orders.Features;

public enum OutcomeKind
{
    Ok,
    Created,
    Invalid,
    NotFound,
    Forbidden,
    Refused,
}

/// <summary>
/// The result of a command: the order, or why not. <see cref="Code"/> is a stable reason ("own-listing",
/// "state", "sold-out"…) whose text is OrdersStrings "Error.{Code}"; <see cref="Field"/> names the input it concerns.
/// </summary>
public sealed record OrderOutcome(OutcomeKind Kind, Order? Order, string? Code = null, string? Field = null, object? Extra = null)
{
    public bool Succeeded => Kind is OutcomeKind.Ok or OutcomeKind.Created;

    public static OrderOutcome Ok(Order order, object? extra = null) => new(OutcomeKind.Ok, order, Extra: extra);

    public static OrderOutcome Created(Order order) => new(OutcomeKind.Created, order);

    public static OrderOutcome Invalid(string field, string code) => new(OutcomeKind.Invalid, null, code, field);

    public static OrderOutcome Missing() => new(OutcomeKind.NotFound, null, "not-found");

    public static OrderOutcome Forbidden(string code) => new(OutcomeKind.Forbidden, null, code);

    public static OrderOutcome Refused(string code, Order? order = null) => new(OutcomeKind.Refused, order, code);
}
