using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using TechMarket.Kernel.Files;
using TechMarket.Kernel.Http;
using TechMarket.Kernel.Members;
using TechMarket.Kernel.Security;
using TechMarket.Listings.Domain;
using TechMarket.Listings.Features;
using TechMarket.Listings.Features.Classification;
using TechMarket.Listings.Features.Demands;
using TechMarket.Listings.Features.Profiles;
using TechMarket.Listings.Features.Supply;
using TechMarket.Listings.Persistence;
using TechMarket.Listings.Search;

namespace TechMarket.Listings;

public sealed record ReasonRequest(string? Reason);

public sealed record ClassifyRequest(string? Title, string? Text);

public sealed record SearchResponse(int Total, int Page, int PageSize, int Pages, IReadOnlyList<SearchHit> Items, IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Facets, IReadOnlyDictionary<SearchTab, int> Tabs);

public static class ListingsApi
{
    // Identity's bearer-only API policy (IdentityApi.ApiPolicy); repeated by name so this module needs no Identity types.
    private const string ApiPolicy = "ApiBearer";

    public static IEndpointRouteBuilder MapListingsApi(this IEndpointRouteBuilder app)
    {
        var listings = app.MapGroup("/api/v1/listings").WithTags("Listings").DisableAntiforgery();
        listings.MapGet("/{id:guid}", GetListing);
        listings.MapGet("/stats", GetStatistics);
        listings.MapGet("/mine", MyListings).RequireAuthorization(ApiPolicy);
        listings.MapPost("/", CreateListing).RequireAuthorization(ApiPolicy, Policies.Verified);
        listings.MapPut("/{id:guid}", UpdateListing).RequireAuthorization(ApiPolicy, Policies.Verified);
        listings.MapPost("/{id:guid}/submit", SubmitListing).RequireAuthorization(ApiPolicy, Policies.Verified);
        // Closing needs no verification: only the owner (verified when publishing) or an operator gets past the handler.
        listings.MapPost("/{id:guid}/close", CloseListing).RequireAuthorization(ApiPolicy);
        listings.MapPost("/classify", Classify).RequireAuthorization(ApiPolicy);
        listings.MapPost("/files", UploadFile).RequireAuthorization(ApiPolicy, Policies.Verified).WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(64L * 1024 * 1024));
        listings.MapGet("/files/{*key}", GetFile);

        var demands = app.MapGroup("/api/v1/demands").WithTags("Demands").DisableAntiforgery();
        demands.MapGet("/{id:guid}", GetDemand);
        demands.MapGet("/mine", MyDemands).RequireAuthorization(ApiPolicy);
        demands.MapPost("/", CreateDemand).RequireAuthorization(ApiPolicy, Policies.Verified);
        demands.MapPut("/{id:guid}", UpdateDemand).RequireAuthorization(ApiPolicy, Policies.Verified);
        demands.MapPost("/{id:guid}/submit", SubmitDemand).RequireAuthorization(ApiPolicy, Policies.Verified);
        demands.MapPost("/{id:guid}/close", CloseDemand).RequireAuthorization(ApiPolicy);

        var experts = app.MapGroup("/api/v1/experts").WithTags("Experts").DisableAntiforgery();
        experts.MapGet("/{id:guid}", GetProfile);
        experts.MapGet("/{id:guid}/listings", InstitutionListings);
        experts.MapGet("/me", MyProfile).RequireAuthorization(ApiPolicy);
        experts.MapPut("/me", SaveProfile).RequireAuthorization(ApiPolicy, Policies.Verified);

        app.MapGet("/api/v1/search", Search).WithTags("Search");

        var review = app.MapGroup("/api/v1/operator").WithTags("Operator").RequireAuthorization(ApiPolicy, Policies.Operator).DisableAntiforgery();
        review.MapGet("/listing-reviews", ReviewQueue);
        review.MapPost("/listings/{id:guid}/approve", ApproveListing);
        review.MapPost("/listings/{id:guid}/reject", RejectListing);
        review.MapPost("/demands/{id:guid}/approve", ApproveDemand);
        review.MapPost("/demands/{id:guid}/reject", RejectDemand);
        return app;
    }

    public static async Task<Results<Ok<ListingView>, NotFound>> GetListing(Guid id, ClaimsPrincipal user, ListingQueries queries)
    {
        var listing = await queries.FindListingAsync(id, user.MemberId(), user.IsStaff());
        return listing is null ? TypedResults.NotFound() : TypedResults.Ok(ListingView.Of(listing, listing.OwnerId == user.MemberId() || user.IsStaff()));
    }

    public static async Task<Ok<IReadOnlyList<ListingCard>>> MyListings(ClaimsPrincipal user, ListingQueries queries) =>
        TypedResults.Ok(await queries.MyListingsAsync(user.RequiredMemberId()));

    public static async Task<Results<Created<ListingView>, ValidationProblem>> CreateListing(ListingInput input, bool? submit, ClaimsPrincipal user, ListingCommands commands)
    {
        var outcome = await commands.CreateAsync(user.RequiredMemberId(), input, submit ?? false);
        return outcome.Value is { } listing
            ? TypedResults.Created($"/api/v1/listings/{listing.Id}", ListingView.Of(listing, true))
            : TypedResults.ValidationProblem(outcome.Errors.ToDictionary());
    }

    public static async Task<Results<Ok<ListingView>, NotFound, ValidationProblem, Conflict<ProblemDetailsBody>>> UpdateListing(Guid id, ListingInput input, bool? submit, ClaimsPrincipal user, ListingCommands commands) =>
        ToResult(await commands.UpdateAsync(user.RequiredMemberId(), id, input, submit ?? false), l => ListingView.Of(l, true));

    public static async Task<Results<Ok<ListingView>, NotFound, ValidationProblem, Conflict<ProblemDetailsBody>>> SubmitListing(Guid id, ClaimsPrincipal user, ListingCommands commands) =>
        ToResult(await commands.SubmitAsync(user.RequiredMemberId(), id), l => ListingView.Of(l, true));

    public static async Task<Results<Ok<ListingView>, NotFound, ValidationProblem, Conflict<ProblemDetailsBody>>> CloseListing(Guid id, ClaimsPrincipal user, ListingCommands commands) =>
        ToResult(await commands.CloseAsync(user.RequiredMemberId(), id, user.IsStaff()), l => ListingView.Of(l, true));

    public static async Task<Results<Ok<ListingView>, NotFound, ValidationProblem, Conflict<ProblemDetailsBody>>> ApproveListing(Guid id, ClaimsPrincipal user, ListingCommands commands) =>
        ToResult(await commands.ApproveAsync(user.RequiredMemberId(), id), l => ListingView.Of(l, true));

    public static async Task<Results<Ok<ListingView>, NotFound, ValidationProblem, Conflict<ProblemDetailsBody>>> RejectListing(Guid id, ReasonRequest request, ClaimsPrincipal user, ListingCommands commands) =>
        ToResult(await commands.RejectAsync(user.RequiredMemberId(), id, request.Reason), l => ListingView.Of(l, true));

    public static Results<Ok<FieldSuggestion>, NoContent> Classify(ClassifyRequest request, IListingClassifier classifier) =>
        classifier.Suggest(request.Title ?? "", request.Text ?? "", null, null, []) is { } suggestion ? TypedResults.Ok(suggestion) : TypedResults.NoContent();

    public static async Task<Results<Created<ListingFile>, ValidationProblem>> UploadFile(IFormFile? file, ClaimsPrincipal user, IFileStore store, FileStorageOptions options, ListingsDbContext db, TimeProvider clock, Microsoft.Extensions.Localization.IStringLocalizer<ListingsStrings> text)
    {
        if (file is null)
        {
            return TypedResults.ValidationProblem(new FieldErrors().Add("file", text["Error.Required"]).ToDictionary());
        }

        await using var stream = file.OpenReadStream();
        var result = await store.SaveAsync(stream, new HashSet<FileKind> { FileKind.Jpeg, FileKind.Png, FileKind.Pdf }, options.MaxUploadBytes);
        if (result.Blob is not { } blob)
        {
            return TypedResults.ValidationProblem(new FieldErrors().Add("file", text["Error.Files"]).ToDictionary());
        }

        var row = new ListingFile { Key = blob.Key, OwnerId = user.RequiredMemberId(), ContentType = blob.Kind.ContentType(), Length = blob.Length, At = clock.GetUtcNow() };
        db.Files.Add(row);
        await db.SaveChangesAsync();
        return TypedResults.Created($"/api/v1/listings/files/{blob.Key}", row);
    }

    public static async Task<Results<FileStreamHttpResult, NotFound>> GetFile(string key, IFileStore store, ListingsDbContext db)
    {
        var row = await db.Files.AsNoTracking().FirstOrDefaultAsync(f => f.Key == key);
        return row is null ? TypedResults.NotFound() : TypedResults.File(store.OpenRead(row.Key), row.ContentType);
    }

    public static async Task<Ok<IReadOnlyList<StatRow>>> GetStatistics(ListingQueries queries) =>
        TypedResults.Ok(await queries.StatisticsAsync());

    public static async Task<Results<Ok<DemandView>, NotFound>> GetDemand(Guid id, ClaimsPrincipal user, ListingQueries queries, IMemberDirectory members)
    {
        var viewer = user.MemberId();
        var demand = await queries.FindDemandAsync(id, viewer, user.IsStaff());
        if (demand is null)
        {
            return TypedResults.NotFound();
        }

        var verified = user.IsStaff() || (viewer is { } v && await members.IsVerifiedAsync(v));
        return TypedResults.Ok(DemandView.Of(demand, demand.OwnerId == viewer, verified));
    }

    public static async Task<Ok<List<DemandView>>> MyDemands(ClaimsPrincipal user, ListingQueries queries) =>
        TypedResults.Ok((await queries.MyDemandsAsync(user.RequiredMemberId())).Select(d => DemandView.Of(d, true, true)).ToList());

    public static async Task<Results<Created<DemandView>, ValidationProblem>> CreateDemand(DemandInput input, bool? submit, ClaimsPrincipal user, DemandCommands commands)
    {
        var outcome = await commands.CreateAsync(user.RequiredMemberId(), input, submit ?? false);
        return outcome.Value is { } demand
            ? TypedResults.Created($"/api/v1/demands/{demand.Id}", DemandView.Of(demand, true, true))
            : TypedResults.ValidationProblem(outcome.Errors.ToDictionary());
    }

    public static async Task<Results<Ok<DemandView>, NotFound, ValidationProblem, Conflict<ProblemDetailsBody>>> UpdateDemand(Guid id, DemandInput input, bool? submit, ClaimsPrincipal user, DemandCommands commands) =>
        ToResult(await commands.UpdateAsync(user.RequiredMemberId(), id, input, submit ?? false), d => DemandView.Of(d, true, true));

    public static async Task<Results<Ok<DemandView>, NotFound, ValidationProblem, Conflict<ProblemDetailsBody>>> SubmitDemand(Guid id, ClaimsPrincipal user, DemandCommands commands) =>
        ToResult(await commands.SubmitAsync(user.RequiredMemberId(), id), d => DemandView.Of(d, true, true));

    public static async Task<Results<Ok<DemandView>, NotFound, ValidationProblem, Conflict<ProblemDetailsBody>>> CloseDemand(Guid id, ClaimsPrincipal user, DemandCommands commands) =>
        ToResult(await commands.CloseAsync(user.RequiredMemberId(), id, user.IsStaff()), d => DemandView.Of(d, true, true));

    public static async Task<Results<Ok<DemandView>, NotFound, ValidationProblem, Conflict<ProblemDetailsBody>>> ApproveDemand(Guid id, ClaimsPrincipal user, DemandCommands commands) =>
        ToResult(await commands.ApproveAsync(user.RequiredMemberId(), id), d => DemandView.Of(d, true, true));

    public static async Task<Results<Ok<DemandView>, NotFound, ValidationProblem, Conflict<ProblemDetailsBody>>> RejectDemand(Guid id, ReasonRequest request, ClaimsPrincipal user, DemandCommands commands) =>
        ToResult(await commands.RejectAsync(user.RequiredMemberId(), id, request.Reason), d => DemandView.Of(d, true, true));

    public static async Task<Results<Ok<ProfileView>, NotFound>> GetProfile(Guid id, ListingQueries queries) =>
        await queries.FindProfileAsync(id) is { } p ? TypedResults.Ok(ProfileView.Of(p)) : TypedResults.NotFound();

    public static async Task<Results<Ok<IReadOnlyList<ListingCard>>, NotFound>> InstitutionListings(Guid id, ListingQueries queries) =>
        await queries.FindProfileAsync(id) is { Kind: ProfileKind.Institution } p ? TypedResults.Ok(await queries.InstitutionListingsAsync(p)) : TypedResults.NotFound();

    public static async Task<Results<Ok<ProfileView>, NotFound>> MyProfile(ClaimsPrincipal user, ListingQueries queries) =>
        await queries.ProfileOfAsync(user.RequiredMemberId()) is { } p ? TypedResults.Ok(ProfileView.Of(p)) : TypedResults.NotFound();

    public static async Task<Results<Ok<ProfileView>, NotFound, ValidationProblem, Conflict<ProblemDetailsBody>>> SaveProfile(ProfileInput input, ClaimsPrincipal user, ProfileCommands commands) =>
        ToResult(await commands.SaveAsync(user.RequiredMemberId(), input), ProfileView.Of);

    public static async Task<Ok<IReadOnlyList<ReviewItem>>> ReviewQueue(ListingQueries queries) =>
        TypedResults.Ok(await queries.ReviewQueueAsync());

    public static Results<Ok<SearchResponse>, ValidationProblem> Search(
        string? q, string? tab, string? type, string? mode, string? field, string? region, string? price, string? maturity, string? patent, string? sort, int? page, int? pageSize, SearchService search)
    {
        var errors = new FieldErrors();
        if (search.Parse(new SearchParameters(q, tab, type, mode, field, region, price, maturity, patent, sort, page, pageSize), errors) is not { } request)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        var result = search.Search(request);
        return TypedResults.Ok(new SearchResponse(result.Total, request.Page, request.PageSize, result.Pages, result.Hits, result.Facets, result.TabCounts));
    }

    private static Results<Ok<TView>, NotFound, ValidationProblem, Conflict<ProblemDetailsBody>> ToResult<T, TView>(CommandOutcome<T> outcome, Func<T, TView> view) => outcome.Status switch
    {
        CommandStatus.Ok => TypedResults.Ok(view(outcome.Value!)),
        CommandStatus.NotFound => TypedResults.NotFound(),
        CommandStatus.Conflict => TypedResults.Conflict(new ProblemDetailsBody("Conflict", 409, outcome.Errors.For("") is [var message, ..] ? message : null)),
        _ => TypedResults.ValidationProblem(outcome.Errors.ToDictionary()),
    };
}

/// <summary>A problem+json body for 409s (TypedResults.Conflict takes a value, not a ProblemDetails result).</summary>
public sealed record ProblemDetailsBody(string Title, int Status, string? Detail);
