using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TechMarket.Kernel.Files;
using TechMarket.Kernel.Persistence;
using TechMarket.Testing;
using Xunit.Abstractions;

namespace TechMarket.Messaging.Tests;

/// <summary>Runs alone (no other test allocating at the same time), so process-wide memory figures mean something.</summary>
[CollectionDefinition(nameof(AloneCollection), DisableParallelization = true)]
public sealed class AloneCollection;

[Collection(nameof(AloneCollection))]
public sealed class LargeAttachmentTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Category", "Memory")]
    public async Task A_200_MB_attachment_is_streamed_in_and_out_without_holding_it_in_memory()
    {
        const long size = 200L * 1024 * 1024;
        using var app = new TechMarketApp(DatabaseProvider.Sqlite);
        app.Settings["Messaging:MaxAttachmentBytes"] = (300L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Real Kestrel and sockets: the in-memory TestServer transport copies bodies through pipes of its own.
        app.UseKestrel(0);
        app.StartServer();
        using var alice = await app.VerifiedMemberAsync();
        using var bob = await app.VerifiedMemberAsync();
        var bobId = (await bob.GetFromJsonAsync<JsonElement>("/api/v1/me")).GetProperty("id").GetGuid();
        // Warm up the upload path so one-off JIT and pool allocations are not counted.
        using (var warm = MailTests.Compose([bobId], "预热", "", ("warm.bin", MailTests.RandomBytes(1000))))
        {
            (await alice.PostAsync("/api/v1/mail", warm)).EnsureSuccessStatusCode();
        }

        var source = new MailTests.PatternStream(size);
        using var form = new MultipartFormDataContent
        {
            { new StringContent(bobId.ToString()), "to" },
            { new StringContent("设备三维模型"), "subject" },
            { new StringContent("200 MB"), "body" },
        };
        var file = new StreamContent(source, 81_920);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "attachments", "model.step");

        // The store itself: hashing and writing 200 MB allocates next to nothing.
        var store = app.Services.GetRequiredService<IBlobStore>();
        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var stored = await store.PutAsync(new MailTests.PatternStream(size), long.MaxValue);
        var storeAllocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        // The whole HTTP round trip (test client, in-process server, multipart parsing, download): the process's
        // peak resident memory, reset just before (Linux clear_refs), must stay far below the file size.
        // The factory's default client copies request bodies into memory to replay them after a redirect; an app's client does not.
        using var uploader = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = alice.BaseAddress! });
        uploader.DefaultRequestHeaders.Authorization = alice.DefaultRequestHeaders.Authorization;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = MailTests.ResidentBytes("VmRSS");
        await File.WriteAllTextAsync("/proc/self/clear_refs", "5");
        var sent = await uploader.PostAsync("/api/v1/mail", form);
        var mailId = (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var mail = await bob.GetFromJsonAsync<JsonElement>($"/api/v1/mail/{mailId}");
        var attachment = mail.GetProperty("attachments")[0];
        using var response = await bob.GetAsync($"/api/v1/mail/{mailId}/attachments/{attachment.GetProperty("id").GetGuid()}", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81_920];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
        }

        var peakGrowth = MailTests.ResidentBytes("VmHWM") - baseline;

        output.WriteLine($"200 MB round trip: store allocated {storeAllocated:N0} B, peak resident growth {peakGrowth:N0} B");
        Assert.Equal(HttpStatusCode.Created, sent.StatusCode);
        Assert.Equal(size, attachment.GetProperty("length").GetInt64());
        Assert.Equal(size, total);
        Assert.Equal(stored.Sha256, Convert.ToHexStringLower(hash.GetHashAndReset()));
        Assert.Equal(stored.Sha256, attachment.GetProperty("sha256").GetString());
        // The file is 200 MB; holding it whole would allocate (and keep resident) at least that much.
        Assert.True(storeAllocated < size / 20, $"store allocated {storeAllocated:N0} bytes, peak grew {peakGrowth:N0}");
        Assert.True(peakGrowth < size / 2, $"peak resident memory grew by {peakGrowth:N0} bytes, store allocated {storeAllocated:N0}");
    }

}
