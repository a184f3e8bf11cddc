using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using TechMarket.Kernel.Persistence;
using TechMarket.Listings.Domain;
using TechMarket.Listings.Persistence;
using TechMarket.Listings.Search;
using TechMarket.Testing;

namespace TechMarket.Listings.Tests.Integration;

public sealed class SearchChangePruningTests
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Change_rows_older_than_the_retention_are_deleted_and_newer_ones_kept(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var client = app.CreateClient();
        var options = app.Services.GetRequiredService<SearchOptions>();
        var now = DateTimeOffset.UtcNow;
        long recentId;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ListingsDbContext>();
            db.SearchChanges.Add(new SearchChange { Kind = EntityKinds.Listing, EntityId = Guid.NewGuid(), At = now - options.ChangeRetention - TimeSpan.FromHours(1) });
            db.SearchChanges.Add(new SearchChange { Kind = EntityKinds.Listing, EntityId = Guid.NewGuid(), At = now - options.ChangeRetention - TimeSpan.FromDays(30) });
            var recent = new SearchChange { Kind = EntityKinds.Demand, EntityId = Guid.NewGuid(), At = now - options.ChangeRetention + TimeSpan.FromHours(1) };
            db.SearchChanges.Add(recent);
            await db.SaveChangesAsync();
            recentId = recent.Id;
        }

        var deleted = await app.Services.GetRequiredService<SearchChangePruner>().PruneAsync(CancellationToken.None);

        await using var check = app.Services.CreateAsyncScope();
        var rows = await check.ServiceProvider.GetRequiredService<ListingsDbContext>().SearchChanges.AsNoTracking().ToListAsync();
        Assert.Equal(2, deleted);
        Assert.Contains(rows, r => r.Id == recentId);
        Assert.All(rows, r => Assert.True(r.At >= now - options.ChangeRetention));
        // The demo data's own change rows are new: kept, and the demo listings stay searchable.
        Assert.True(rows.Count > ListingsSeeder.DemoListings);
        await client.SearchUntilAsync("/api/v1/search?pageSize=1", r => r.GetProperty("total").GetInt32() == ListingsSeeder.DemoListings);
    }

    [Fact]
    public void A_node_rebuilds_when_its_index_is_empty_or_older_than_the_retention_and_keeps_a_prebuilt_one()
    {
        var folder = Directory.CreateTempSubdirectory("techmarket-prune-").FullName;
        var options = new SearchOptions();
        var scopes = new ServiceCollection().BuildServiceProvider().GetRequiredService<IServiceScopeFactory>();
        try
        {
            using (var index = new SearchIndex(folder))
            {
                var indexer = new SearchIndexer(scopes, index, options, TimeProvider.System, NullLogger<SearchIndexer>.Instance);
                Assert.True(indexer.NeedsRebuild());

                index.Commit(42, DateTimeOffset.UtcNow - TimeSpan.FromDays(1));
                Assert.False(indexer.NeedsRebuild());

                index.Commit(42, DateTimeOffset.UtcNow - options.ChangeRetention - TimeSpan.FromMinutes(1));
                Assert.True(indexer.NeedsRebuild());
            }

            // Reopened: the commit time is read back from the commit data.
            using (var reopened = new SearchIndex(folder))
            {
                Assert.Equal(42, reopened.Position);
                Assert.True(new SearchIndexer(scopes, reopened, options, TimeProvider.System, NullLogger<SearchIndexer>.Instance).NeedsRebuild());

                // A pre-built index (position 0, with documents) is kept however old it is.
                var listing = Listing.Create(Guid.NewGuid(), Guid.NewGuid(), new ListingContent { Title = "预建索引", Abstract = "预建索引", Field = TechField.NewMaterials, Type = ListingType.Patent, Province = "11", Pricing = PricingKind.Negotiable, Modes = [TransactionMode.Transfer], Maturity = MaturityStage.Pilot, Tags = "" }, DateTimeOffset.UtcNow);
                reopened.Add(IndexDocuments.From(listing));
                reopened.Commit(0, DateTimeOffset.UtcNow - TimeSpan.FromDays(365));
                Assert.False(new SearchIndexer(scopes, reopened, options, TimeProvider.System, NullLogger<SearchIndexer>.Instance).NeedsRebuild());
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void An_index_written_in_an_older_document_layout_is_rebuilt_even_when_prebuilt_and_recent()
    {
        var folder = Directory.CreateTempSubdirectory("techmarket-layout-").FullName;
        var scopes = new ServiceCollection().BuildServiceProvider().GetRequiredService<IServiceScopeFactory>();
        try
        {
            // Layout 1: the result cards were stored fields and the commit data had no layout.
            using (var directory = Lucene.Net.Store.FSDirectory.Open(folder))
            using (var writer = new Lucene.Net.Index.IndexWriter(directory, new Lucene.Net.Index.IndexWriterConfig(MixedAnalyzer.Version, SearchIndex.IndexAnalyzer)))
            {
                writer.AddDocument([new Lucene.Net.Documents.StoredField("title", "旧格式")]);
                writer.SetCommitData(new Dictionary<string, string> { ["position"] = "0", ["committed_at"] = DateTimeOffset.UtcNow.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                writer.Commit();
            }

            using var index = new SearchIndex(folder);
            Assert.Equal(1, index.Layout);
            Assert.True(new SearchIndexer(scopes, index, new SearchOptions(), TimeProvider.System, NullLogger<SearchIndexer>.Instance).NeedsRebuild());

            index.DeleteAll();
            var listing = Listing.Create(Guid.NewGuid(), Guid.NewGuid(), new ListingContent { Title = "新格式", Abstract = "新格式", Field = TechField.NewMaterials, Type = ListingType.Patent, Province = "11", Pricing = PricingKind.Negotiable, Modes = [TransactionMode.Transfer], Maturity = MaturityStage.Pilot, Tags = "" }, DateTimeOffset.UtcNow);
            index.Add(IndexDocuments.From(listing));
            index.Commit(0, DateTimeOffset.UtcNow);
            Assert.Equal(SearchIndex.CurrentLayout, index.Layout);
            Assert.False(new SearchIndexer(scopes, index, new SearchOptions(), TimeProvider.System, NullLogger<SearchIndexer>.Instance).NeedsRebuild());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
