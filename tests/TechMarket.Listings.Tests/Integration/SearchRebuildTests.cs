using Lucene.Net.Index;
using Microsoft.Extensions.DependencyInjection;
using TechMarket.Kernel.Persistence;
using TechMarket.Listings.Domain;
using TechMarket.Listings.Search;
using TechMarket.Testing;

namespace TechMarket.Listings.Tests.Integration;

public sealed class SearchRebuildTests
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_rebuild_adds_each_kind_in_run_order_and_searches_the_same(DatabaseProvider provider)
    {
        using var app = new TechMarketApp(provider);
        using var client = app.CreateClient();
        await client.SearchUntilAsync("/api/v1/search?pageSize=1", r => r.GetProperty("total").GetInt32() == ListingsSeeder.DemoListings);
        var index = app.Services.GetRequiredService<SearchIndex>();
        var before = await AllHitsAsync(client);

        await app.Services.GetRequiredService<SearchIndexer>().RebuildAsync(CancellationToken.None);

        // The demo items come in random order; in the rebuilt index each kind's values in IndexFields.RunOrder never go
        // back (the order FacetRuns finds runs in; at the demo's size a segment has too few documents to use them).
        var keys = index.Search(searcher =>
        {
            var leaf = Assert.Single(searcher.IndexReader.Leaves).AtomicReader;
            return new[] { EntityKinds.Listing, EntityKinds.Demand, EntityKinds.Profile }.ToDictionary(kind => kind, kind =>
            {
                var keys = new List<string>();
                var docs = leaf.GetTermDocsEnum(new Term(IndexFields.Kind, kind));
                for (var doc = docs.NextDoc(); doc != Lucene.Net.Search.DocIdSetIterator.NO_MORE_DOCS; doc = docs.NextDoc())
                {
                    keys.Add(string.Join('|', IndexFields.RunOrder.Select(d => Values(leaf, d, doc))));
                }

                return keys;
            });
        });
        Assert.Equal(ListingsSeeder.DemoListings, keys[EntityKinds.Listing].Count);
        foreach (var (kind, ofKind) in keys)
        {
            Assert.True(ofKind.Count > 10, kind);
            Assert.Equal(ofKind.Order(StringComparer.Ordinal), ofKind);
        }

        Assert.True(keys[EntityKinds.Listing].Distinct().Count() > 50, "the demo listings spread over many fields, regions and types");

        // Same results as before the rebuild: the order of documents is invisible to searchers.
        var after = await AllHitsAsync(client);
        Assert.Equal(before.Total, after.Total);
        Assert.Equal(before.Facets, after.Facets);
        Assert.Equal(before.Ids, after.Ids);
    }

    /// <summary>A document's values of one dimension, as IndexDocuments.RunKey joins them.</summary>
    private static string Values(AtomicReader leaf, string dimension, int doc)
    {
        var values = leaf.GetSortedSetDocValues(dimension);
        var found = new List<string>();
        if (values is not null)
        {
            values.SetDocument(doc);
            for (var ord = values.NextOrd(); ord != SortedSetDocValues.NO_MORE_ORDS; ord = values.NextOrd())
            {
                var term = new Lucene.Net.Util.BytesRef();
                values.LookupOrd(ord, term);
                found.Add(term.Utf8ToString());
            }
        }

        return string.Join(',', found.Order(StringComparer.Ordinal));
    }

    /// <summary>Total, facets and every hit's id of one search, over all its pages (ties may order differently).</summary>
    private static async Task<(int Total, string Facets, string[] Ids)> AllHitsAsync(HttpClient client)
    {
        var ids = new List<string>();
        for (var page = 1; ; page++)
        {
            using var document = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync($"/api/v1/search?q=技术&pageSize=50&page={page}"));
            var root = document.RootElement;
            ids.AddRange(root.GetProperty("items").EnumerateArray().Select(h => h.GetProperty("id").GetString()!));
            var total = root.GetProperty("total").GetInt32();
            if (ids.Count >= total || page >= 20)
            {
                Assert.True(total > 50, "the search spans several pages");
                return (total, root.GetProperty("facets").GetRawText(), ids.Order(StringComparer.Ordinal).ToArray());
            }
        }
    }
}
