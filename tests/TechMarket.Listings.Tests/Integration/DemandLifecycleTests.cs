using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TechMarket.Kernel.Persistence;
using TechMarket.Listings.Persistence;
using TechMarket.Testing;

namespace TechMarket.Listings.Tests.Integration;

public sealed class DemandLifecycleTests
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Demand_goes_through_review_rejection_revision_and_closing_with_an_audit_row_for_each_step(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var owner = await app.VerifiedMemberAsync();
        using var other = await app.VerifiedMemberAsync();
        using var reviewer = await app.LoginAsync(ApiFlows.Operator);
        using var anonymous = app.CreateClient();

        var draft = await owner.PostAsJsonAsync("/api/v1/demands", Demand("寻求低成本海水淡化膜组件"));
        var id = (await draft.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var approveDraft = await reviewer.PostAsync($"/api/v1/operator/demands/{id}/approve", null);
        var submitByOther = await other.PostAsync($"/api/v1/demands/{id}/submit", null);
        var submitted = await owner.PostAsync($"/api/v1/demands/{id}/submit", null);
        var submitTwice = await owner.PostAsync($"/api/v1/demands/{id}/submit", null);
        var hidden = await anonymous.GetAsync($"/api/v1/demands/{id}");
        var noReason = await reviewer.PostAsJsonAsync($"/api/v1/operator/demands/{id}/reject", new { reason = " " });
        var rejected = await reviewer.PostAsJsonAsync($"/api/v1/operator/demands/{id}/reject", new { reason = "预算区间不明确" });
        var mine = await owner.GetFromJsonAsync<JsonElement>($"/api/v1/demands/{id}");
        (await owner.PostAsync($"/api/v1/demands/{id}/submit", null)).EnsureSuccessStatusCode();
        var approved = await reviewer.PostAsync($"/api/v1/operator/demands/{id}/approve", null);

        var revised = await owner.PutAsJsonAsync($"/api/v1/demands/{id}?submit=true", Demand("寻求低成本海水淡化反渗透膜组件"));
        var duringReview = await anonymous.GetFromJsonAsync<JsonElement>($"/api/v1/demands/{id}");
        var queue = await reviewer.GetFromJsonAsync<JsonElement>("/api/v1/operator/listing-reviews");
        (await reviewer.PostAsync($"/api/v1/operator/demands/{id}/approve", null)).EnsureSuccessStatusCode();
        var afterRevision = await anonymous.GetFromJsonAsync<JsonElement>($"/api/v1/demands/{id}");

        (await owner.PutAsJsonAsync($"/api/v1/demands/{id}?submit=true", Demand("被驳回的修改标题内容"))).EnsureSuccessStatusCode();
        var revisionRejected = await reviewer.PostAsJsonAsync($"/api/v1/operator/demands/{id}/reject", new { reason = "修改内容不实" });
        var afterRejectedRevision = await owner.GetFromJsonAsync<JsonElement>($"/api/v1/demands/{id}");
        var closedByOther = await other.PostAsync($"/api/v1/demands/{id}/close", null);
        var closed = await owner.PostAsync($"/api/v1/demands/{id}/close", null);
        var closedTwice = await owner.PostAsync($"/api/v1/demands/{id}/close", null);
        var editClosed = await owner.PutAsJsonAsync($"/api/v1/demands/{id}", Demand("关闭后不能再修改标题"));
        var approveClosed = await reviewer.PostAsync($"/api/v1/operator/demands/{id}/approve", null);

        Assert.Equal(HttpStatusCode.Created, draft.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, approveDraft.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, submitByOther.StatusCode);
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, submitTwice.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        Assert.Equal("Rejected", mine.GetProperty("status").GetString());
        Assert.Equal("预算区间不明确", mine.GetProperty("rejectionReason").GetString());
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal(HttpStatusCode.OK, revised.StatusCode);
        Assert.Equal("寻求低成本海水淡化膜组件", duringReview.GetProperty("title").GetString());
        Assert.Contains(queue.EnumerateArray(), i => i.GetProperty("id").GetGuid() == id && i.GetProperty("isRevision").GetBoolean() && i.GetProperty("kind").GetString() == "demand");
        Assert.Equal("寻求低成本海水淡化反渗透膜组件", afterRevision.GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.OK, revisionRejected.StatusCode);
        Assert.Equal("Published", afterRejectedRevision.GetProperty("status").GetString());
        Assert.Equal("寻求低成本海水淡化反渗透膜组件", afterRejectedRevision.GetProperty("title").GetString());
        Assert.Equal(JsonValueKind.Null, afterRejectedRevision.GetProperty("pendingRevision").ValueKind);
        Assert.Equal("修改内容不实", afterRejectedRevision.GetProperty("rejectionReason").GetString());
        Assert.Equal(HttpStatusCode.NotFound, closedByOther.StatusCode);
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, closedTwice.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, editClosed.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, approveClosed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/api/v1/demands/{id}")).StatusCode);

        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ListingsDbContext>();
        var audit = await db.AuditLog.Where(a => a.SubjectId == id.ToString()).OrderBy(a => a.Id).Select(a => new { a.Action, a.SubjectType, a.Detail }).ToListAsync();
        Assert.Equal(
            ["demand.created", "demand.submitted", "demand.rejected", "demand.submitted", "demand.approved", "demand.edited", "demand.submitted", "demand.approved", "demand.edited", "demand.submitted", "demand.rejected", "demand.closed"],
            audit.Select(a => a.Action));
        Assert.All(audit, a => Assert.Equal("Demand", a.SubjectType));
        Assert.Equal("预算区间不明确", audit[2].Detail);
        Assert.Null(audit[4].Detail);
    }

    private static object Demand(string title) => new
    {
        title,
        summary = "需要日处理量一千吨的海水淡化膜组件，能耗低于三千瓦时每吨。",
        details = "<p>用于海岛供水。</p>",
        field = "ResourcesEnvironment",
        province = "35",
        budgetMin = 200000,
        budgetMax = 800000,
    };
}
