using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using TechMarket.Kernel.Persistence;
using TechMarket.Listings.Features;
using TechMarket.Listings.Features.Classification;
using TechMarket.Listings.Features.Demands;
using TechMarket.Listings.Features.Profiles;
using TechMarket.Listings.Features.Supply;
using TechMarket.Listings.Persistence;
using TechMarket.Listings.Search;

namespace TechMarket.Listings;

public static class ListingsModule
{
    public static IHostApplicationBuilder AddListingsModule(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        builder.AddModuleDbContext<ListingsDbContext>(ListingsDbContext.Module);
        services.AddSingleton(builder.Configuration.GetSection(SearchOptions.Section).Get<SearchOptions>() ?? new SearchOptions());
        services.AddSingleton<SearchIndex>();
        services.AddSingleton<SearchIndexer>();
        services.AddHostedService(sp => sp.GetRequiredService<SearchIndexer>());
        services.AddSingleton<SearchChangePruner>();
        services.AddHostedService(sp => sp.GetRequiredService<SearchChangePruner>());
        services.AddSingleton<SearchService>();
        // P1: the Insights module's classifier (model embedded in its assembly, loaded once on first use).
        services.TryAddSingleton<TechMarket.Insights.Classification.IFieldClassifier>(_ => new TechMarket.Insights.Classification.FieldClassifier());
        services.TryAddSingleton(_ => new TechMarket.Insights.Classification.AttributeTagger());
        services.TryAddSingleton<IListingClassifier, InsightsClassifier>();
        services.AddScoped<ListingCommands>();
        services.AddScoped<DemandCommands>();
        services.AddScoped<ProfileCommands>();
        services.AddScoped<ListingQueries>();
        services.AddScoped<IListingCatalog, ListingCatalog>();
        services.AddScoped<ListingsSeeder>();
        return builder;
    }

    public static IEndpointRouteBuilder MapListingsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapListingsApi();
        return app;
    }
}
