using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TechMarket.Kernel.Files;
using TechMarket.Kernel.Persistence;
using TechMarket.Messaging.Persistence;
using TechMarket.Testing;

namespace TechMarket.Messaging.Tests;

public sealed class MailTests
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Mail_with_attachments_reaches_only_its_parties(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        await using var alice = await Participant.ConnectAsync(app, await app.VerifiedMemberAsync());
        await using var bob = await Participant.ConnectAsync(app, await app.VerifiedMemberAsync());
        await using var carol = await Participant.ConnectAsync(app, await app.VerifiedMemberAsync());
        await using var mallory = await Participant.ConnectAsync(app, await app.VerifiedMemberAsync());
        var drawing = RandomBytes(300_000);
        var spec = "技术规格书：正极材料 LiFePO4\n"u8.ToArray();

        using var form = Compose([bob.Id, carol.Id], "专利许可资料", "请查收附件。", ("drawing.dwg", drawing), ("规格书.txt", spec));
        var sent = await alice.Api.PostAsync("/api/v1/mail", form);
        var mailId = (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var notified = await bob.NextAsync("notification");
        var inbox = await bob.Api.GetFromJsonAsync<JsonElement>("/api/v1/mail?box=inbox");
        var opened = await bob.Api.GetFromJsonAsync<JsonElement>($"/api/v1/mail/{mailId}");
        var attachments = opened.GetProperty("attachments").EnumerateArray().ToList();
        var drawingId = attachments.Single(a => a.GetProperty("fileName").GetString() == "drawing.dwg").GetProperty("id").GetGuid();
        var specId = attachments.Single(a => a.GetProperty("fileName").GetString() == "规格书.txt").GetProperty("id").GetGuid();
        var downloaded = await bob.Api.GetByteArrayAsync($"/api/v1/mail/{mailId}/attachments/{drawingId}");
        var carolDownload = await carol.Api.GetByteArrayAsync($"/api/v1/mail/{mailId}/attachments/{specId}");
        using var reply = Compose([alice.Id], "回复：专利许可资料", "已收到，谢谢。", replyTo: mailId);
        var replied = await bob.Api.PostAsync("/api/v1/mail", reply);
        var thread = await alice.Api.GetFromJsonAsync<JsonElement>($"/api/v1/mail/threads/{opened.GetProperty("threadId").GetGuid()}");
        var sentBox = await alice.Api.GetFromJsonAsync<JsonElement>("/api/v1/mail?box=sent");
        var search = await bob.Api.GetFromJsonAsync<JsonElement>("/api/v1/mail?search=" + Uri.EscapeDataString("许可"));
        var searchMiss = await bob.Api.GetFromJsonAsync<JsonElement>("/api/v1/mail?search=nothing-like-this");
        var malloryOpen = await mallory.Api.GetAsync($"/api/v1/mail/{mailId}");
        var malloryDownload = await mallory.Api.GetAsync($"/api/v1/mail/{mailId}/attachments/{drawingId}");
        var mallorySearch = await mallory.Api.GetFromJsonAsync<JsonElement>("/api/v1/mail?search=" + Uri.EscapeDataString("许可"));
        var malloryThread = await mallory.Api.GetAsync($"/api/v1/mail/threads/{opened.GetProperty("threadId").GetGuid()}");

        Assert.Equal(HttpStatusCode.Created, sent.StatusCode);
        Assert.Equal(mailId.ToString(), notified.GetProperty("notification").GetProperty("link").GetString()!.Split('/').Last());
        var summary = inbox.EnumerateArray().Single();
        Assert.Equal("专利许可资料", summary.GetProperty("subject").GetString());
        Assert.False(summary.GetProperty("read").GetBoolean());
        Assert.Equal(2, summary.GetProperty("attachments").GetInt32());
        Assert.True((await bob.Api.GetFromJsonAsync<JsonElement>("/api/v1/mail?box=inbox"))[0].GetProperty("read").GetBoolean());
        Assert.Equal(drawing, downloaded);
        Assert.Equal(spec, carolDownload);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(drawing)), attachments.Single(a => a.GetProperty("id").GetGuid() == drawingId).GetProperty("sha256").GetString());
        Assert.Equal(HttpStatusCode.Created, replied.StatusCode);
        Assert.Equal(["专利许可资料", "回复：专利许可资料"], thread.EnumerateArray().Select(m => m.GetProperty("subject").GetString()));
        Assert.Single(sentBox.EnumerateArray());
        Assert.Single(search.EnumerateArray());
        Assert.Empty(searchMiss.EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, malloryOpen.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, malloryDownload.StatusCode);
        Assert.Empty(mallorySearch.EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, malloryThread.StatusCode);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Mail_to_unverified_or_unknown_members_or_over_the_limit_is_refused_and_nothing_is_stored(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        app.Settings["Messaging:MaxAttachmentBytes"] = "100000";
        using var alice = await app.VerifiedMemberAsync();
        using var bob = await app.VerifiedMemberAsync();
        using var newcomer = await app.NewMemberAsync();
        var bobId = (await bob.GetFromJsonAsync<JsonElement>("/api/v1/me")).GetProperty("id").GetGuid();
        var newcomerId = (await newcomer.GetFromJsonAsync<JsonElement>("/api/v1/me")).GetProperty("id").GetGuid();

        using var toUnverified = Compose([newcomerId], "资料", "正文");
        var unverified = await alice.PostAsync("/api/v1/mail", toUnverified);
        using var toUnknown = Compose([Guid.NewGuid()], "资料", "正文");
        var unknown = await alice.PostAsync("/api/v1/mail", toUnknown);
        using var tooLarge = Compose([bobId], "资料", "正文", ("big.bin", RandomBytes(100_001)));
        var large = await alice.PostAsync("/api/v1/mail", tooLarge);
        using var noSubject = Compose([bobId], " ", "正文");
        var subjectless = await alice.PostAsync("/api/v1/mail", noSubject);
        using var fromUnverified = Compose([bobId], "资料", "正文");
        var forbidden = await newcomer.PostAsync("/api/v1/mail", fromUnverified);

        Assert.Equal(HttpStatusCode.BadRequest, unverified.StatusCode);
        Assert.Contains("尚未实名认证", await unverified.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, large.StatusCode);
        Assert.Contains("big.bin", await large.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, subjectless.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        Assert.Equal(0, await db.Mail.CountAsync());
        Assert.Equal(0, await db.MailAttachments.CountAsync());
    }

    internal static long ResidentBytes(string field)
    {
        var line = File.ReadLines("/proc/self/status").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    internal static MultipartFormDataContent Compose(Guid[] to, string subject, string body, params (string Name, byte[] Content)[] files) =>
        Compose(to, subject, body, null, files);

    internal static MultipartFormDataContent Compose(Guid[] to, string subject, string body, Guid? replyTo, params (string Name, byte[] Content)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var id in to)
        {
            form.Add(new StringContent(id.ToString()), "to");
        }

        form.Add(new StringContent(subject), "subject");
        form.Add(new StringContent(body), "body");
        if (replyTo is { } r)
        {
            form.Add(new StringContent(r.ToString()), "replyTo");
        }

        foreach (var (name, content) in files)
        {
            form.Add(new ByteArrayContent(content), "attachments", name);
        }

        return form;
    }

    internal static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    /// <summary>A large, non-repeating-looking file generated on the fly, so the test itself holds none of it.</summary>
    internal sealed class PatternStream(long length) : Stream
    {
        private long position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, length - position);
            for (var i = 0; i < n; i++)
            {
                var p = position + i;
                buffer[i] = (byte)((p * 2654435761L) >> 13);
            }

            position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
