using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using TechMarket.Identity.Domain;
using TechMarket.Identity.Features.Documents;
using TechMarket.Identity.Features.PasswordReset;
using TechMarket.Identity.Features.Register;
using TechMarket.Identity.Features.Review;
using TechMarket.Identity.Features.TwoFactor;
using TechMarket.Identity.Features.Verify;
using TechMarket.Identity.Persistence;
using TechMarket.Identity.Security;
using TechMarket.Identity.Verification;
using TechMarket.Kernel.Persistence;
using TechMarket.Kernel.Security;

namespace TechMarket.Identity;

public sealed class AuthRateLimitOptions
{
    public const string Section = "RateLimits:Auth";

    public int PermitLimit { get; set; } = 20;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

public static class IdentityModule
{
    /// <summary>Chooses the bearer handler when the request carries a token, the cookie handler otherwise.</summary>
    public const string CookieOrBearerScheme = "CookieOrBearer";

    public static IHostApplicationBuilder AddIdentityModule(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        builder.AddModuleDbContext<AccountsDbContext>(AccountsDbContext.Module);

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = CookieOrBearerScheme;
                o.DefaultChallengeScheme = CookieOrBearerScheme;
                o.DefaultForbidScheme = CookieOrBearerScheme;
            })
            .AddPolicyScheme(CookieOrBearerScheme, CookieOrBearerScheme, o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? IdentityConstants.BearerScheme
                    : IdentityConstants.ApplicationScheme)
            .AddBearerToken(IdentityConstants.BearerScheme, o => o.BearerTokenExpiration = TimeSpan.FromHours(1))
            .AddIdentityCookies();

        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/account/login";
            o.LogoutPath = "/account/logout";
            o.AccessDeniedPath = "/account/access-denied";
            o.Cookie.Name = "techmarket.auth";
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromDays(7);
            // API callers get status codes, never a redirect to an HTML login page.
            o.Events.OnRedirectToLogin = context => ApiAwareRedirect(context, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = context => ApiAwareRedirect(context, StatusCodes.Status403Forbidden);
        });

        services.AddIdentityCore<Member>(o =>
            {
                // ASVS V2.1: length, not composition; breached/common passwords are refused by CommonPasswordValidator.
                o.Password.RequiredLength = 8;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequiredUniqueChars = 1;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Lockout.AllowedForNewUsers = true;
                o.User.RequireUniqueEmail = false;
                o.User.AllowedUserNameCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._@+";
                o.SignIn.RequireConfirmedAccount = false;
            })
            .AddRoles<IdentityRole<Guid>>()
            .AddEntityFrameworkStores<AccountsDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders()
            .AddPasswordValidator<CommonPasswordValidator>();
        services.Configure<DataProtectionTokenProviderOptions>(o => o.TokenLifespan = TimeSpan.FromHours(2));

        services.AddAuthorizationBuilder()
            .AddPolicy(IdentityApi.ApiPolicy, p => p.AddAuthenticationSchemes(IdentityConstants.BearerScheme).RequireAuthenticatedUser())
            .AddPolicy(Policies.Verified, p => p.RequireAuthenticatedUser().AddRequirements(new VerifiedRequirement()))
            .AddPolicy(Policies.Operator, p => p.RequireRole(Roles.Operator, Roles.Administrator))
            .AddPolicy(Policies.Administrator, p => p.RequireRole(Roles.Administrator));
        services.AddSingleton<VerifiedMembers>();
        services.AddSingleton<VerificationWithdrawals>();
        services.ConfigureDbContext<AccountsDbContext>((sp, db) => db.AddInterceptors(sp.GetRequiredService<VerificationWithdrawals>()));
        services.AddScoped<IAuthorizationHandler, VerifiedRequirementHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();

        var rate = builder.Configuration.GetSection(AuthRateLimitOptions.Section).Get<AuthRateLimitOptions>() ?? new AuthRateLimitOptions();
        // Attempts (POSTs) count, page views don't: a member opening the login page twice is not an attack.
        services.AddRateLimiter(o => o.AddPolicy(IdentityApi.AuthRateLimit, context => HttpMethods.IsGet(context.Request.Method)
            ? RateLimitPartition.GetNoLimiter("page-view")
            : RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = rate.PermitLimit,
                Window = rate.Window,
                QueueLimit = 0,
            })));

        var personalData = builder.Configuration.GetSection(PersonalDataOptions.Section).Get<PersonalDataOptions>() ?? new PersonalDataOptions();
        var hashKey = PersonalDataProtector.LoadOrCreateKey(personalData, builder.Environment.ContentRootPath);
        services.AddSingleton(sp => new PersonalDataProtector(sp.GetRequiredService<IDataProtectionProvider>(), hashKey));
        services.TryAddSingleton<IIdentityVerifier, HumanReviewVerifier>();

        services.AddScoped<RegisterMember>();
        services.AddScoped<SubmitVerification>();
        services.AddScoped<ReviewVerification>();
        services.AddScoped<VerificationStatusQuery>();
        services.AddScoped<DocumentAccess>();
        services.AddScoped<PasswordReset>();
        services.AddScoped<TwoFactorSetup>();
        services.AddScoped<TechMarket.Kernel.Members.IMemberDirectory, MemberDirectory>();
        services.AddScoped<IdentitySeeder>();
        return builder;
    }

    public static IEndpointRouteBuilder MapIdentityEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapIdentityApi();
        app.MapIdentityPageEndpoints();
        return app;
    }

    private static Task ApiAwareRedirect(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
