using Microsoft.EntityFrameworkCore;
using TechMarket.Kernel.Files;
using TechMarket.Orders.Domain;
using TechMarket.Orders.Persistence;

namespace TechMarket.Orders.Features;

public static class OrderQueries
{
    /// <summary>My orders as buyer (default) or seller, filtered by state, text (number or title) and creation date.</summary>
    public static async Task<OrderPage> ListAsync(OrdersDbContext db, Guid memberId, string? role, string? state, string? q, DateTimeOffset? from, DateTimeOffset? to, int page, int pageSize, CancellationToken ct)
    {
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, 100);
        var query = db.Orders.AsNoTracking();
        query = string.Equals(role, "seller", StringComparison.OrdinalIgnoreCase) ? query.Where(o => o.SellerId == memberId) : query.Where(o => o.BuyerId == memberId);
        if (Enum.TryParse<OrderState>(state, ignoreCase: true, out var s))
        {
            query = query.Where(o => o.State == s);
        }

        if (!string.IsNullOrWhiteSpace(q))
        {
            var text = q.Trim();
            query = query.Where(o => o.Number.Contains(text) || o.ListingTitle.Contains(text));
        }

        if (from is { } f)
        {
            query = query.Where(o => o.CreatedAt >= f);
        }

        if (to is { } t)
        {
            query = query.Where(o => o.CreatedAt < t);
        }

        var total = await query.CountAsync(ct);
        var items = await query.OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(ct);
        return new OrderPage(items.Select(OrderDto.From).ToList(), total, page, pageSize);
    }

    public static async Task<OrderDetail?> DetailAsync(OrdersDbContext db, Guid id, Guid memberId, bool isStaff, CancellationToken ct)
    {
        var order = await db.Orders.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id, ct);
        if (order is null || !(order.IsParty(memberId) || isStaff))
        {
            return null;
        }

        var events = await db.Events.AsNoTracking().Where(e => e.OrderId == id).OrderBy(e => e.Id).ToListAsync(ct);
        var files = await db.Attachments.AsNoTracking().Where(a => a.OrderId == id).OrderBy(a => a.UploadedAt).ToListAsync(ct);
        var role = memberId == order.BuyerId ? "buyer" : memberId == order.SellerId ? "seller" : "operator";
        return new OrderDetail(
            OrderDto.From(order),
            events.Select(e => new OrderEventDto(e.Id, e.Kind, e.FromState?.ToString(), e.ToState.ToString(), e.ActorId, e.Reason, e.OldAmount, e.NewAmount, e.At)).ToList(),
            files.Select(a => new AttachmentDto(a.Id, a.FileName, a.Length, a.ContentType)).ToList(),
            role);
    }

    /// <summary>Delivered material: the buyer alone may download it.</summary>
    public static async Task<(Stream Content, string ContentType, string FileName)?> OpenAttachmentAsync(OrdersDbContext db, IBlobStore blobs, Guid orderId, Guid attachmentId, Guid memberId, CancellationToken ct)
    {
        var found = await db.Attachments.AsNoTracking()
            .Where(a => a.Id == attachmentId && a.OrderId == orderId)
            .Join(db.Orders.Where(o => o.BuyerId == memberId), a => a.OrderId, o => o.Id, (a, o) => a)
            .FirstOrDefaultAsync(ct);
        var stream = found is null ? null : blobs.OpenRead(found.Sha256);
        return stream is null ? null : (stream, found!.ContentType, found.FileName);
    }
}
