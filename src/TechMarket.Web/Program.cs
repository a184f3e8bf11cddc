using TechMarket.Identity;
using TechMarket.Kernel;
using TechMarket.Listings;
using TechMarket.Web.Hosting;

var builder = WebApplication.CreateBuilder(args);

builder.AddObservability();
builder.AddKernel();
builder.AddWebShell();
builder.AddPublicApi();
builder.AddIdentityModule();
builder.AddListingsModule();

var app = builder.Build();

app.UseWebShell();
app.MapObservability();
app.MapPublicApi();
app.MapIdentityEndpoints();
app.MapListingsEndpoints();
app.MapPages(typeof(IdentityModule).Assembly, typeof(ListingsModule).Assembly);

await app.PrepareDatabaseAsync();
await app.RunAsync();

/// <summary>Entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
