using TechMarket.Identity;
using TechMarket.Kernel;
using TechMarket.Kernel.Members;
using TechMarket.Listings;
using TechMarket.Messaging;
using TechMarket.Orders;
using TechMarket.Payments;
using TechMarket.Web.Hosting;

var builder = WebApplication.CreateBuilder(args);

builder.AddObservability();
builder.AddKernel();
builder.AddWebShell();
builder.AddPublicApi();
builder.AddIdentityModule();
builder.AddListingsModule();
builder.AddPaymentsModule();
builder.AddMessagingModule();
builder.AddOrdersModule();
builder.AddOrdersAdapters();
builder.AddDemoTrading();
builder.Services.AddScoped<IMemberContacts, MemberContacts>();

var app = builder.Build();

app.UseWebShell();
app.MapObservability();
app.MapPublicApi();
app.MapIdentityEndpoints();
app.MapListingsEndpoints();
app.MapPaymentsEndpoints();
app.MapMessagingEndpoints();
app.MapOrdersEndpoints();
app.MapPages(typeof(IdentityModule).Assembly, typeof(ListingsModule).Assembly, typeof(PaymentsModule).Assembly, typeof(MessagingModule).Assembly, typeof(OrdersModule).Assembly);

await app.PrepareDatabaseAsync();
await app.RunAsync();

/// <summary>Entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
