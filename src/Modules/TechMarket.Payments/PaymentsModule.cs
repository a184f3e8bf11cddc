using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TechMarket.Kernel.Persistence;
using TechMarket.Payments.Features.Callbacks;
using TechMarket.Payments.Features.Escrow;
using TechMarket.Payments.Features.Reconciliation;
using TechMarket.Payments.Features.Withdrawals;
using TechMarket.Payments.Gateways;
using TechMarket.Payments.Gateways.Alipay;
using TechMarket.Payments.Persistence;
using TechMarket.Payments.Sandbox;

namespace TechMarket.Payments;

public static class PaymentsModule
{
    public static IHostApplicationBuilder AddPaymentsModule(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        // Pooled: the order and callback paths open several contexts per request.
        builder.AddModuleDbContext<PaymentsDbContext>(PaymentsDbContext.Module, pooled: true);

        var options = builder.Configuration.GetSection(PaymentsOptions.Section).Get<PaymentsOptions>() ?? new PaymentsOptions();
        services.AddSingleton(options);
        var alipay = builder.Configuration.GetSection(AlipayOptions.Section).Get<AlipayOptions>() ?? new AlipayOptions();
        var sandbox = builder.Configuration.GetSection(SandboxBankOptions.Section).Get<SandboxBankOptions>() ?? new SandboxBankOptions();
        if (sandbox.Autostart ?? builder.Environment.IsDevelopment())
        {
            // Embedded setup: the sandbox bank is the institution, with demo keys kept on disk (ADR 0010).
            var keys = SandboxKeys.LoadOrCreate(Path.Combine(builder.Environment.ContentRootPath, sandbox.KeyFolder));
            alipay = SandboxBankHostedService.Configure(alipay, sandbox, keys);
            services.AddSingleton(new SandboxBankHostedService.Settings(sandbox, keys, alipay.AppId));
            services.AddHostedService<SandboxBankHostedService>();
        }

        services.AddSingleton(alipay);
        services.AddHttpClient(AlipayGateway.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(15));
        if (!string.IsNullOrEmpty(alipay.AppId) && !string.IsNullOrEmpty(alipay.PrivateKey))
        {
            services.AddSingleton<IPaymentGateway, AlipayGateway>();
        }

        services.AddSingleton<GatewayRegistry>();
        services.AddScoped<PaymentService>();
        services.AddScoped<IPayments>(sp => sp.GetRequiredService<PaymentService>());
        services.AddScoped<Balances>();
        services.AddScoped<PaymentQueries>();
        services.AddSingleton<NotificationProcessor>();
        services.AddSingleton<PendingPaymentSweeper>();
        services.AddSingleton<ReconciliationJob>();
        if (options.BackgroundJobs)
        {
            services.AddHostedService(sp => sp.GetRequiredService<PendingPaymentSweeper>());
            services.AddHostedService(sp => sp.GetRequiredService<ReconciliationJob>());
        }

        return builder;
    }

    public static IEndpointRouteBuilder MapPaymentsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPaymentsApi();
        app.MapPaymentCallbacks();
        return app;
    }
}
