using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TechMarket.Identity.Persistence;
using TechMarket.Kernel.Persistence;
using TechMarket.Testing;

namespace TechMarket.Web.Tests.Identity;

public sealed class VerificationTests
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Personal_verification_approved_by_an_operator_opens_trading(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var member = await app.NewMemberAsync();
        var idNumber = TestIdentities.NewResidentId();

        var before = await member.GetAsync("/api/v1/me/trading-eligibility");
        var submitted = await member.SubmitPersonalAsync("王五", idNumber, TestIdentities.Png);
        var status = await member.GetFromJsonAsync<JsonElement>("/api/v1/verification");
        var requestId = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var reviewer = await app.LoginAsync(ApiFlows.Operator);
        var queue = await reviewer.GetFromJsonAsync<JsonElement>("/api/v1/operator/verifications?status=Pending");
        var detail = await reviewer.GetFromJsonAsync<JsonElement>($"/api/v1/operator/verifications/{requestId}");
        var approved = await reviewer.PostAsync($"/api/v1/operator/verifications/{requestId}/approve", null);
        var after = await member.GetAsync("/api/v1/me/trading-eligibility");

        Assert.Equal(HttpStatusCode.Forbidden, before.StatusCode);
        var problem = await before.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("/account/verification", problem.GetProperty("verifyUrl").GetString());
        Assert.Contains("/account/verification", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        Assert.Equal("Pending", status.GetProperty("personal").GetProperty("status").GetString());
        Assert.Equal($"{idNumber[..6]}********{idNumber[14..]}", status.GetProperty("personal").GetProperty("identifier").GetString());
        Assert.Contains(queue.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetGuid() == requestId);
        Assert.Equal(idNumber, detail.GetProperty("idNumber").GetString());
        Assert.Equal(HttpStatusCode.NoContent, approved.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        var me = await member.GetFromJsonAsync<JsonElement>("/api/v1/me");
        Assert.Equal("Individual", me.GetProperty("verificationLevel").GetString());
        Assert.Equal("王五", me.GetProperty("verifiedName").GetString());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Id_numbers_are_encrypted_at_rest_and_every_reviewer_look_is_audited(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var member = await app.NewMemberAsync();
        var idNumber = TestIdentities.NewResidentId();
        var requestId = (await (await member.SubmitPersonalAsync("赵六", idNumber, TestIdentities.Png)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var reviewer = await app.LoginAsync(ApiFlows.Operator);

        await reviewer.GetAsync($"/api/v1/operator/verifications/{requestId}");
        await reviewer.GetAsync($"/api/v1/operator/verifications/{requestId}");

        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AccountsDbContext>();
        var row = await db.VerificationRequests.SingleAsync(v => v.Id == requestId);
        Assert.DoesNotContain(idNumber, row.IdNumberProtected, StringComparison.Ordinal);
        Assert.Equal(64, row.IdNumberHash!.Length);
        Assert.Equal(2, await db.AuditLog.CountAsync(a => a.SubjectId == requestId.ToString() && a.Action == "verification.id-number-viewed"));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Rejected_member_sees_the_reason_and_can_resubmit(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var member = await app.NewMemberAsync();
        var first = (await (await member.SubmitEnterpriseAsync("北京测试科技有限公司", TestIdentities.NewCreditCode(), "钱七", TestIdentities.Pdf))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var reviewer = await app.LoginAsync(ApiFlows.Operator);

        var noReason = await reviewer.PostAsJsonAsync($"/api/v1/operator/verifications/{first}/reject", new { reason = " " });
        var rejected = await reviewer.PostAsJsonAsync($"/api/v1/operator/verifications/{first}/reject", new { reason = "营业执照照片不清晰" });
        var twice = await reviewer.PostAsync($"/api/v1/operator/verifications/{first}/approve", null);
        var status = await member.GetFromJsonAsync<JsonElement>("/api/v1/verification");
        var again = await member.SubmitEnterpriseAsync("北京测试科技有限公司", TestIdentities.NewCreditCode(), "钱七", TestIdentities.Png, "licence.png");

        await AccountTests.AssertFieldError(noReason, "Reason");
        Assert.Equal(HttpStatusCode.NoContent, rejected.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Equal("Rejected", status.GetProperty("enterprise").GetProperty("status").GetString());
        Assert.Equal("营业执照照片不清晰", status.GetProperty("enterprise").GetProperty("rejectionReason").GetString());
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.GetAsync("/api/v1/me/trading-eligibility")).StatusCode);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Invalid_identifiers_are_field_errors_and_nothing_is_stored(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var member = await app.NewMemberAsync();
        var filesBefore = UploadedFiles(app);
        var valid = TestIdentities.NewResidentId();
        var wrongCheck = valid[..17] + (valid[17] == '0' ? '1' : '0');

        await AccountTests.AssertFieldError(await member.SubmitPersonalAsync("王五", wrongCheck, TestIdentities.Png), "IdNumber");
        await AccountTests.AssertFieldError(await member.SubmitPersonalAsync("王五", "110105199902300011", TestIdentities.Png), "IdNumber");
        await AccountTests.AssertFieldError(await member.SubmitPersonalAsync("", valid, TestIdentities.Png), "RealName");
        await AccountTests.AssertFieldError(await member.SubmitPersonalAsync("王五", valid, null), "Document");
        await AccountTests.AssertFieldError(await member.SubmitEnterpriseAsync("公司", "91350100M000100YI3", "李四", TestIdentities.Pdf), "CreditCode");
        await AccountTests.AssertFieldError(await member.SubmitEnterpriseAsync("公司", "91350100M000100Y44", "李四", TestIdentities.Pdf), "CreditCode");

        var status = await member.GetFromJsonAsync<JsonElement>("/api/v1/verification");
        Assert.Equal(JsonValueKind.Null, status.GetProperty("personal").ValueKind);
        Assert.Equal(JsonValueKind.Null, status.GetProperty("enterprise").ValueKind);
        Assert.Equal(filesBefore, UploadedFiles(app));
    }

    private static int UploadedFiles(TechMarketApp app) =>
        Directory.Exists(Path.Combine(app.Root, "uploads")) ? Directory.EnumerateFiles(Path.Combine(app.Root, "uploads"), "*", SearchOption.AllDirectories).Count() : 0;

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Oversized_and_disguised_uploads_are_413_and_415_with_a_message(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        app.Settings["Storage:MaxUploadBytes"] = "1024";
        using var member = await app.NewMemberAsync();
        var big = new byte[4096];
        TestIdentities.Png.CopyTo(big, 0);

        var tooLarge = await member.SubmitPersonalAsync("王五", TestIdentities.NewResidentId(), big);
        var script = await member.SubmitPersonalAsync("王五", TestIdentities.NewResidentId(), "<script>alert(1)</script>"u8.ToArray(), "photo.png");
        var pdfAsIdPhoto = await member.SubmitPersonalAsync("王五", TestIdentities.NewResidentId(), TestIdentities.Pdf, "photo.png");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Contains("MB", (await tooLarge.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, script.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, pdfAsIdPhoto.StatusCode);
        Assert.Equal(JsonValueKind.Null, (await member.GetFromJsonAsync<JsonElement>("/api/v1/verification")).GetProperty("personal").ValueKind);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Documents_are_served_to_their_owner_and_staff_only(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var owner = await app.NewMemberAsync();
        using var stranger = await app.NewMemberAsync();
        using var reviewer = await app.LoginAsync(ApiFlows.Operator);
        await owner.SubmitPersonalAsync("王五", TestIdentities.NewResidentId(), TestIdentities.Png);
        var documentId = (await owner.GetFromJsonAsync<JsonElement>("/api/v1/verification")).GetProperty("personal").GetProperty("documentId").GetGuid();

        var own = await owner.GetAsync($"/api/v1/verification/documents/{documentId}");
        var other = await stranger.GetAsync($"/api/v1/verification/documents/{documentId}");
        var staff = await reviewer.GetAsync($"/api/v1/verification/documents/{documentId}");
        var queueAsMember = await owner.GetAsync("/api/v1/operator/verifications");

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal("image/png", own.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TestIdentities.Png, await own.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal(HttpStatusCode.OK, staff.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, queueAsMember.StatusCode);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task One_id_number_verifies_one_account_and_a_pending_request_blocks_a_second(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var first = await app.NewMemberAsync();
        using var second = await app.NewMemberAsync();
        var idNumber = TestIdentities.NewResidentId();

        var original = await first.SubmitPersonalAsync("王五", idNumber, TestIdentities.Png);
        var copy = await second.SubmitPersonalAsync("王五", idNumber, TestIdentities.Png);
        var doubleSubmit = await first.SubmitPersonalAsync("王五", idNumber, TestIdentities.Png);

        Assert.Equal(HttpStatusCode.Created, original.StatusCode);
        await AccountTests.AssertFieldError(copy, "IdNumber");
        Assert.Equal(HttpStatusCode.Conflict, doubleSubmit.StatusCode);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Concurrent_double_submit_creates_one_request(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var member = await app.NewMemberAsync();
        var idNumber = TestIdentities.NewResidentId();

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => member.SubmitPersonalAsync("王五", idNumber, TestIdentities.Png)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        var memberId = (await member.GetFromJsonAsync<JsonElement>("/api/v1/me")).GetProperty("id").GetGuid();
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AccountsDbContext>();
        Assert.Equal(1, await db.VerificationDocuments.CountAsync(d => d.OwnerId == memberId));
        Assert.Equal(1, await db.VerificationRequests.CountAsync(v => v.MemberId == memberId));
    }
}
