using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using TechMarket.Kernel.Files;
using TechMarket.Kernel.Persistence;
using TechMarket.Kernel.Security;
using TechMarket.Orders.Features;
using TechMarket.Orders.Features.Monitoring;
using TechMarket.Orders.Features.PlaceOrder;
using TechMarket.Orders.Features.Quotes;
using TechMarket.Orders.Features.Workflow;
using TechMarket.Orders.Persistence;
using TechMarket.Orders.Realtime;

namespace TechMarket.Orders;

public static class OrdersModule
{
    public static IHostApplicationBuilder AddOrdersModule(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        // Pooled: the order and callback paths open several contexts per request.
        builder.AddModuleDbContext<OrdersDbContext>(OrdersDbContext.Module, pooled: true);
        var options = builder.Configuration.GetSection(OrdersOptions.Section).Get<OrdersOptions>() ?? new OrdersOptions();
        services.AddSingleton(options);
        services.AddSignalR();
        services.TryAddSingleton<IBlobStore, LocalBlobStore>();

        // IOrderCatalog and IOrderPayments are adapted from the Listings and Payments modules by the host (ADR 0020).
        services.AddScoped<OrderEvents>();
        services.AddSingleton<OrderNotifications>();
        services.AddHostedService(sp => sp.GetRequiredService<OrderNotifications>());
        services.AddScoped<PlaceOrderHandler>();
        services.AddScoped<QuoteService>();
        services.AddScoped<OrderWorkflow>();
        services.AddScoped<OrderMonitor>();
        services.AddScoped<OrdersSeeder>();
        services.AddSingleton<UnpaidOrderSweeper>();
        if (options.BackgroundJobs)
        {
            services.AddHostedService(sp => sp.GetRequiredService<UnpaidOrderSweeper>());
        }

        return builder;
    }

    public static IEndpointRouteBuilder MapOrdersEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapOrdersApi();
        app.MapHub<OrdersHub>(OrdersHub.Path);

        // Delivered material for the order page (cookie sign-in); the buyer alone may download it.
        app.MapGet("/orders/{id:guid}/files/{attachmentId:guid}", async (Guid id, Guid attachmentId, ClaimsPrincipal user, OrdersDbContext db, IBlobStore blobs, CancellationToken ct) =>
        {
            var file = await OrderQueries.OpenAttachmentAsync(db, blobs, id, attachmentId, user.RequiredMemberId(), ct);
            return file is { } f ? Results.File(f.Content, f.ContentType, f.FileName) : Results.NotFound();
        }).RequireAuthorization();
        return app;
    }
}
