using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using TechMarket.Kernel.Files;
using TechMarket.Kernel.Members;
using TechMarket.Kernel.Notifications;
using TechMarket.Kernel.Persistence;
using TechMarket.Messaging.Features.Chat;
using TechMarket.Messaging.Features.Mail;
using TechMarket.Messaging.Features.Notifications;
using TechMarket.Messaging.Features.Support;
using TechMarket.Messaging.Persistence;
using TechMarket.Messaging.Realtime;

namespace TechMarket.Messaging;

public static class MessagingModule
{
    /// <summary>Redis for the SignalR backplane: with it, a message reaches members connected to any node.</summary>
    public const string RedisSetting = "Redis:Configuration";

    public static IHostApplicationBuilder AddMessagingModule(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        builder.AddModuleDbContext<MessagingDbContext>(MessagingDbContext.Module);
        services.AddSingleton(builder.Configuration.GetSection(MessagingOptions.Section).Get<MessagingOptions>() ?? new MessagingOptions());

        var signalR = services.AddSignalR(o => o.MaximumReceiveMessageSize = 64 * 1024);
        if (builder.Configuration[RedisSetting] is { Length: > 0 } redis)
        {
            signalR.AddStackExchangeRedis(redis, o => o.Configuration.ChannelPrefix = RedisChannel.Literal("techmarket"));
        }

        // WebSockets cannot carry an Authorization header: apps send the bearer token as ?access_token= on the hub only.
        services.PostConfigure<BearerTokenOptions>(IdentityConstants.BearerScheme, o =>
        {
            var previous = o.Events.OnMessageReceived;
            o.Events.OnMessageReceived = async context =>
            {
                await previous(context);
                await HubAuthentication.ReadTokenFromQuery(context);
            };
        });

        services.TryAddSingleton<IBlobStore, LocalBlobStore>();
        services.AddSingleton<Push>();
        services.AddSingleton<ChatRateLimiter>();
        services.AddSingleton<ChatAccessCache>();
        services.AddSingleton<ChatMessageWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<ChatMessageWriter>());
        services.AddSingleton<ChatNotifier>();
        services.AddHostedService(sp => sp.GetRequiredService<ChatNotifier>());
        services.AddSingleton<EmailOutboxSignal>();
        services.AddSingleton<EmailOutboxSender>();
        services.AddHostedService(sp => sp.GetRequiredService<EmailOutboxSender>());
        services.AddScoped<NotificationService>();
        services.AddScoped<INotificationSender>(sp => sp.GetRequiredService<NotificationService>());
        services.AddScoped<ChatService>();
        services.AddScoped<MailService>();
        services.AddScoped<SupportService>();
        // The host's member-contacts adapter knows the accounts' roles; forwarding here keeps Program.cs unaware of it.
        services.TryAddScoped<ISupportOperators>(sp => sp.GetRequiredService<IMemberContacts>() as ISupportOperators
            ?? throw new InvalidOperationException("Register an ISupportOperators (the host's member contacts adapter implements it)."));
        return builder;
    }

    public static IEndpointRouteBuilder MapMessagingEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapMessagingApi();
        app.MapMessagingPageEndpoints();
        app.MapHub<MessagingHub>(MessagingHub.Path);
        return app;
    }
}
