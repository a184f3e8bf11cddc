using System.Buffers.Binary;
using System.Security.Cryptography;

namespace TechMarket.Orders.Floor;

/// <summary>
/// A bearer token the shop can check per request without a database round trip: base64url(member id, verified flag,
/// expiry) "." base64url(HMAC-SHA256 of that payload). Checked on every request, like the real app's bearer tokens.
/// </summary>
internal sealed class Tokens(byte[] key)
{
    private const int PayloadLength = 16 + 1 + 8;

    public string Issue(Guid member, bool verified, DateTimeOffset expires)
    {
        var payload = new byte[PayloadLength];
        member.TryWriteBytes(payload);
        payload[16] = verified ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(17), expires.ToUnixTimeSeconds());
        return $"{Base64Url(payload)}.{Base64Url(HMACSHA256.HashData(key, payload))}";
    }

    /// <summary>The member of a valid, unexpired token of a verified member (trading needs verification), else null.</summary>
    public Guid? VerifiedMember(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return null;
        }

        var token = authorization.AsSpan(7);
        var dot = token.IndexOf('.');
        Span<byte> payload = stackalloc byte[PayloadLength + 3];
        Span<byte> mac = stackalloc byte[32 + 3];
        if (dot < 0 || !System.Buffers.Text.Base64Url.TryDecodeFromChars(token[..dot], payload, out var n) || n != PayloadLength
            || !System.Buffers.Text.Base64Url.TryDecodeFromChars(token[(dot + 1)..], mac, out var m) || m != 32)
        {
            return null;
        }

        Span<byte> expected = stackalloc byte[32];
        HMACSHA256.HashData(key, payload[..PayloadLength], expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, mac[..32]) || payload[16] != 1
            || BinaryPrimitives.ReadInt64BigEndian(payload[17..]) < DateTimeOffset.UtcNow.ToUnixTimeSeconds())
        {
            return null;
        }

        return new Guid(payload[..16]);
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}
