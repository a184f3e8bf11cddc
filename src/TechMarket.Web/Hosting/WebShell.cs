using System.Globalization;
using System.Reflection;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Localization;
using TechMarket.Web.Components;

namespace TechMarket.Web.Hosting;

/// <summary>Razor components (static SSR), localization, data protection keys, rate limits, security headers.</summary>
internal static class WebShell
{
    public static readonly CultureInfo[] Cultures = [new("zh-CN"), new("en")];

    public static WebApplicationBuilder AddWebShell(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents();
        // Chinese text is written as is, not as &#x...; entities: a third of the bytes and readable source.
        builder.Services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
            o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddLocalization(o => o.ResourcesPath = "Resources");
        builder.Services.Configure<RequestLocalizationOptions>(o =>
        {
            o.DefaultRequestCulture = new RequestCulture("zh-CN");
            o.SupportedCultures = Cultures;
            o.SupportedUICultures = Cultures;
            o.FallBackToParentUICultures = true;
            o.FallBackToParentCultures = true;
            // Simplified Chinese unless the member chose otherwise (cookie); the browser's Accept-Language is not
            // consulted, so a Chinese user on an English-language system still gets the Chinese site.
            o.RequestCultureProviders = [new QueryStringRequestCultureProvider(), new CookieRequestCultureProvider()];
        });

        // Keys outside the database: they protect auth cookies and encrypt ID numbers (PIPL).
        var keys = builder.Configuration["DataProtection:KeysPath"] ?? Path.Combine(builder.Environment.ContentRootPath, "data", "keys");
        builder.Services.AddDataProtection().SetApplicationName("TechMarket").PersistKeysToFileSystem(new DirectoryInfo(keys));

        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? (int)Math.Ceiling(wait.TotalSeconds) : 60;
                context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                var text = context.HttpContext.RequestServices.GetRequiredService<Microsoft.Extensions.Localization.IStringLocalizer<SharedStrings>>();
                var message = text["Problem.TooManyRequests", retryAfter];
                var result = context.HttpContext.Request.Path.StartsWithSegments("/api")
                    ? Results.Problem(message, statusCode: StatusCodes.Status429TooManyRequests, title: text["Problem.TooManyRequests.Title"])
                    : Results.Content(
                        $"<!DOCTYPE html><html lang=\"{CultureInfo.CurrentUICulture.Name}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><link rel=\"stylesheet\" href=\"/css/app.css\"><title>{System.Net.WebUtility.HtmlEncode(text["Problem.TooManyRequests.Title"])}</title></head><body><main class=\"site-main\"><div class=\"container\"><div class=\"alert alert-warning\" role=\"alert\">{System.Net.WebUtility.HtmlEncode(message)}</div><a class=\"btn btn-secondary\" href=\"/\">TechMarket</a></div></main></body></html>",
                        "text/html; charset=utf-8",
                        statusCode: StatusCodes.Status429TooManyRequests);
                await result.ExecuteAsync(context.HttpContext);
            };
        });
        builder.Services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in builder.Configuration.GetSection("ReverseProxy:KnownProxies").Get<string[]>() ?? ["127.0.0.1", "::1"])
            {
                o.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
            }
        });
        builder.Services.AddAntiforgery(o => o.Cookie.Name = "techmarket.af");
        return builder;
    }

    public static WebApplication UseWebShell(this WebApplication app)
    {
        app.UseForwardedHeaders();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
            app.UseHsts();
        }

        app.UseSecurityHeaders();
        app.UseRequestLocalization();
        // Pages show a friendly page for 404 and friends; the API answers in problem+json instead.
        // Re-execution must sit in the main pipeline (it re-runs routing), so the API opts out per request.
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.Use((context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/api") && context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages)
            {
                pages.Enabled = false;
            }

            return next(context);
        });
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/api"), api => api.UseStatusCodePages());
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapCultureEndpoint();
        return app;
    }

    public static WebApplication MapPages(this WebApplication app, params Assembly[] modules)
    {
        app.MapRazorComponents<App>().AddAdditionalAssemblies(modules);
        return app;
    }

    /// <summary>The language switch: remembers the choice in the standard culture cookie for a year.</summary>
    private static void MapCultureEndpoint(this WebApplication app) =>
        app.MapGet("/culture", (string culture, string? returnUrl, HttpContext context) =>
        {
            if (Cultures.Any(c => c.Name == culture))
            {
                context.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                    CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                    new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, SameSite = SameSiteMode.Lax, HttpOnly = true });
            }

            return TypedResults.LocalRedirect(TechMarket.Kernel.Http.LocalUrl.OrHome(returnUrl));
        }).ExcludeFromDescription();
}
