using TechMarket.Identity;
using TechMarket.Kernel;
using TechMarket.Web.Hosting;

var builder = WebApplication.CreateBuilder(args);

builder.AddObservability();
builder.AddKernel();
builder.AddWebShell();
builder.AddPublicApi();
builder.AddIdentityModule();

var app = builder.Build();

app.UseWebShell();
app.MapObservability();
app.MapPublicApi();
app.MapIdentityEndpoints();
app.MapPages(typeof(IdentityModule).Assembly);

await app.PrepareDatabaseAsync();
await app.RunAsync();

/// <summary>Entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
