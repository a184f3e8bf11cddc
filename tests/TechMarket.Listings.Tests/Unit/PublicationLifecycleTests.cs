using TechMarket.Listings.Domain;

namespace TechMarket.Listings.Tests.Unit;

/// <summary>Where an item stands, as a reviewer or publisher sees it.</summary>
public enum Stage
{
    Draft,
    Submitted,
    Published,
    RevisionDrafted,
    RevisionSubmitted,
    Rejected,
    Closed,
}

public enum Act
{
    Edit,
    Submit,
    Approve,
    Reject,
    Close,
}

/// <summary>The shared lifecycle, run once for supply listings and once for demands (the subclasses below).</summary>
public abstract class PublicationLifecycleTests<TItem, TContent>
    where TItem : PublishableItem<TContent>
    where TContent : class, IPublishableContent, new()
{
    protected static readonly DateTimeOffset Start = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    protected abstract TItem Create(TContent content, DateTimeOffset now);

    protected abstract TContent Content(string title);

    [Theory]
    [InlineData(Stage.Draft, Act.Edit, Stage.Draft)]
    [InlineData(Stage.Draft, Act.Submit, Stage.Submitted)]
    [InlineData(Stage.Draft, Act.Approve, null)]
    [InlineData(Stage.Draft, Act.Reject, null)]
    [InlineData(Stage.Draft, Act.Close, Stage.Closed)]
    [InlineData(Stage.Submitted, Act.Edit, Stage.Submitted)]
    [InlineData(Stage.Submitted, Act.Submit, null)]
    [InlineData(Stage.Submitted, Act.Approve, Stage.Published)]
    [InlineData(Stage.Submitted, Act.Reject, Stage.Rejected)]
    [InlineData(Stage.Submitted, Act.Close, Stage.Closed)]
    [InlineData(Stage.Published, Act.Edit, Stage.RevisionDrafted)]
    [InlineData(Stage.Published, Act.Submit, null)]
    [InlineData(Stage.Published, Act.Approve, null)]
    [InlineData(Stage.Published, Act.Reject, null)]
    [InlineData(Stage.Published, Act.Close, Stage.Closed)]
    [InlineData(Stage.RevisionDrafted, Act.Edit, Stage.RevisionDrafted)]
    [InlineData(Stage.RevisionDrafted, Act.Submit, Stage.RevisionSubmitted)]
    [InlineData(Stage.RevisionDrafted, Act.Approve, null)]
    [InlineData(Stage.RevisionDrafted, Act.Reject, null)]
    [InlineData(Stage.RevisionDrafted, Act.Close, Stage.Closed)]
    [InlineData(Stage.RevisionSubmitted, Act.Edit, Stage.RevisionSubmitted)]
    [InlineData(Stage.RevisionSubmitted, Act.Submit, Stage.RevisionSubmitted)]
    [InlineData(Stage.RevisionSubmitted, Act.Approve, Stage.Published)]
    [InlineData(Stage.RevisionSubmitted, Act.Reject, Stage.Published)]
    [InlineData(Stage.RevisionSubmitted, Act.Close, Stage.Closed)]
    [InlineData(Stage.Rejected, Act.Edit, Stage.Draft)]
    [InlineData(Stage.Rejected, Act.Submit, Stage.Submitted)]
    [InlineData(Stage.Rejected, Act.Approve, null)]
    [InlineData(Stage.Rejected, Act.Reject, null)]
    [InlineData(Stage.Rejected, Act.Close, Stage.Closed)]
    [InlineData(Stage.Closed, Act.Edit, null)]
    [InlineData(Stage.Closed, Act.Submit, null)]
    [InlineData(Stage.Closed, Act.Approve, null)]
    [InlineData(Stage.Closed, Act.Reject, null)]
    [InlineData(Stage.Closed, Act.Close, null)]
    public void Each_act_in_each_stage_moves_to_the_allowed_stage_or_is_refused_without_change(Stage from, Act act, Stage? to)
    {
        var item = At(from);
        var before = Snapshot(item);
        var now = Start.AddHours(10);

        var attempt = Record.Exception(() => Do(item, act, now));

        if (to is { } expected)
        {
            Assert.Null(attempt);
            Assert.Equal(expected, StageOf(item));
            Assert.Equal(now, item.UpdatedAt);
        }
        else
        {
            Assert.IsType<InvalidOperationException>(attempt);
            Assert.Equal(before, Snapshot(item));
        }
    }

    [Theory]
    [InlineData(Stage.Submitted)]
    [InlineData(Stage.RevisionSubmitted)]
    public void Rejecting_needs_a_reason(Stage from)
    {
        var item = At(from);
        var before = Snapshot(item);

        Assert.Throws<ArgumentException>(() => item.Reject("", Start.AddHours(10)));
        Assert.Throws<ArgumentException>(() => item.Reject("  ", Start.AddHours(10)));
        Assert.Equal(before, Snapshot(item));
    }

    [Fact]
    public void A_rejected_submission_returns_with_its_reason_and_approval_clears_it()
    {
        var item = At(Stage.Submitted);

        item.Reject("资料不全", Start.AddHours(10));
        var rejected = (item.Status, item.RejectionReason, item.SubmittedAt, item.AwaitsReview);
        item.Edit(Content("补充资料后的标题内容"), Start.AddHours(11));
        item.Submit(Start.AddHours(12));
        item.Approve(Start.AddHours(13));

        Assert.Equal((PublicationStatus.Rejected, (string?)"资料不全", (DateTimeOffset?)null, false), rejected);
        Assert.Equal(PublicationStatus.Published, item.Status);
        Assert.Null(item.RejectionReason);
        Assert.Equal("补充资料后的标题内容", item.Title);
        Assert.Equal(Start.AddHours(13), item.PublishedAt);
    }

    [Fact]
    public void A_revision_of_a_published_item_goes_back_to_review_while_the_published_content_stays()
    {
        var item = At(Stage.Published);
        var published = item.Content;

        item.Edit(Content("修订后的技术标题内容"), Start.AddHours(10));
        var drafted = (item.IsVisible, item.AwaitsReview, item.CanBeSubmitted);
        item.Submit(Start.AddHours(11));
        var underReview = (item.Content, item.Title, item.UnderReview.Title, item.AwaitsReview, item.SubmittedAt);
        item.Approve(Start.AddHours(12));

        Assert.Equal((true, false, true), drafted);
        Assert.Equal((published, published.Title, "修订后的技术标题内容", true, (DateTimeOffset?)Start.AddHours(11)), underReview);
        Assert.Equal("修订后的技术标题内容", item.Content.Title);
        Assert.Equal("修订后的技术标题内容", item.Title);
        Assert.Null(item.PendingRevision);
        Assert.Null(item.SubmittedAt);
        // The first publication date stays: a revision is not a new publication.
        Assert.Equal(Start.AddHours(3), item.PublishedAt);
    }

    [Fact]
    public void A_rejected_revision_is_dropped_and_the_published_content_stays_visible()
    {
        var item = At(Stage.RevisionSubmitted);
        var published = item.Content;

        item.Reject("修改内容不实", Start.AddHours(10));

        Assert.Equal(PublicationStatus.Published, item.Status);
        Assert.Same(published, item.Content);
        Assert.Null(item.PendingRevision);
        Assert.Equal("修改内容不实", item.RejectionReason);
        Assert.False(item.AwaitsReview);
    }

    [Fact]
    public void Closing_drops_a_pending_revision()
    {
        var item = At(Stage.RevisionSubmitted);

        item.Close(Start.AddHours(10));

        Assert.Null(item.PendingRevision);
        Assert.False(item.IsVisible);
        Assert.False(item.AwaitsReview);
    }

    [Fact]
    public void A_new_item_is_a_draft_with_its_content_copied_into_columns()
    {
        var content = Content("一种新型储能材料的制备方法");

        var item = Create(content, Start);

        Assert.Equal(PublicationStatus.Draft, item.Status);
        Assert.Equal((content.Title, content.Field, content.Province), (item.Title, item.Field, item.Province));
        Assert.Equal((Start, Start), (item.CreatedAt, item.UpdatedAt));
        Assert.Null(item.PublishedAt);
    }

    [Fact]
    public void Classification_is_stored_with_the_item()
    {
        var item = At(Stage.Submitted);

        item.Classify(TechField.NewEnergy, 0.8f, "储能,电池");

        Assert.Equal((TechField.NewEnergy, 0.8f, "储能,电池"), (item.SuggestedField!.Value, item.SuggestedConfidence!.Value, item.AttributeTags));
    }

    /// <summary>Brings a new item to a stage through the transitions themselves, an hour apart.</summary>
    protected TItem At(Stage stage)
    {
        var item = Create(Content("一种新型储能材料的制备方法"), Start);
        var now = Start;
        DateTimeOffset Next() => now = now.AddHours(1);
        switch (stage)
        {
            case Stage.Draft:
                break;
            case Stage.Submitted:
                item.Submit(Next());
                break;
            case Stage.Rejected:
                item.Submit(Next());
                item.Reject("资料不全", Next());
                break;
            case Stage.Closed:
                item.Close(Next());
                break;
            default:
                item.Submit(Next());
                Next();
                item.Approve(Next());
                if (stage is Stage.RevisionDrafted or Stage.RevisionSubmitted)
                {
                    item.Edit(Content("修订后的技术标题内容"), Next());
                }

                if (stage is Stage.RevisionSubmitted)
                {
                    item.Submit(Next());
                }

                break;
        }

        Assert.Equal(stage, StageOf(item));
        return item;
    }

    private static Stage StageOf(TItem item) => item.Status switch
    {
        PublicationStatus.Draft => Stage.Draft,
        PublicationStatus.Submitted => Stage.Submitted,
        PublicationStatus.Rejected => Stage.Rejected,
        PublicationStatus.Closed => Stage.Closed,
        _ when item.PendingRevision is null => Stage.Published,
        _ => item.SubmittedAt is null ? Stage.RevisionDrafted : Stage.RevisionSubmitted,
    };

    private void Do(TItem item, Act act, DateTimeOffset now)
    {
        switch (act)
        {
            case Act.Edit:
                item.Edit(Content("编辑后的技术标题内容"), now);
                break;
            case Act.Submit:
                item.Submit(now);
                break;
            case Act.Approve:
                item.Approve(now);
                break;
            case Act.Reject:
                item.Reject("不符合发布要求", now);
                break;
            default:
                item.Close(now);
                break;
        }
    }

    private static object Snapshot(TItem item) =>
        (item.Status, item.Content, item.PendingRevision, item.Title, item.RejectionReason, item.SubmittedAt, item.PublishedAt, item.UpdatedAt);
}

public sealed class ListingPublicationLifecycleTests : PublicationLifecycleTests<Listing, ListingContent>
{
    [Fact]
    public void A_listing_counts_its_published_revisions_and_gets_stock_once_on_first_publication()
    {
        var listing = At(Stage.Published);
        var first = (listing.Revision, listing.RemainingQuantity);

        listing.Edit(Content("修订后的技术标题内容") with { Modes = [TransactionMode.OrdinaryLicense] }, Start.AddHours(10));
        listing.Submit(Start.AddHours(11));
        listing.Approve(Start.AddHours(12));

        Assert.Equal((1, (int?)1), first);
        Assert.Equal(2, listing.Revision);
        Assert.Equal(1, listing.RemainingQuantity);
        Assert.Equal(ListingType.Patent, listing.Type);
    }

    [Fact]
    public void A_rejected_revision_does_not_count_as_a_revision()
    {
        var listing = At(Stage.RevisionSubmitted);

        listing.Reject("修改内容不实", Start.AddHours(10));

        Assert.Equal(1, listing.Revision);
    }

    protected override Listing Create(ListingContent content, DateTimeOffset now) => Listing.Create(Guid.CreateVersion7(now), Guid.NewGuid(), content, now);

    protected override ListingContent Content(string title) =>
        new() { Title = title, Type = ListingType.Patent, Modes = [TransactionMode.Transfer], Field = TechField.NewMaterials, Province = "35" };
}

public sealed class DemandPublicationLifecycleTests : PublicationLifecycleTests<Demand, DemandContent>
{
    protected override Demand Create(DemandContent content, DateTimeOffset now) => Demand.Create(Guid.CreateVersion7(now), Guid.NewGuid(), content, now);

    protected override DemandContent Content(string title) =>
        new() { Title = title, Summary = "需要一种新型储能材料。", Field = TechField.NewMaterials, Province = "44" };
}
