using Scalar.AspNetCore;

namespace TechMarket.Web.Hosting;

/// <summary>/api/v1: OpenAPI document, interactive docs at /docs, RFC 9457 problem details for every error.</summary>
internal static class PublicApi
{
    public static WebApplicationBuilder AddPublicApi(this WebApplicationBuilder builder)
    {
        // Enums travel as their names: stable for clients and readable in the docs.
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
            context.ProblemDetails.Extensions["traceId"] = context.HttpContext.TraceIdentifier);
        builder.Services.AddOpenApi("v1", o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "TechMarket API";
            document.Info.Version = "v1";
            document.Info.Description = "技术交易市场平台 public API. Authenticate with POST /api/v1/auth/token and send 'Authorization: Bearer <accessToken>'.";
            return Task.CompletedTask;
        }));
        return builder;
    }

    public static WebApplication MapPublicApi(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/docs", o => o.WithTitle("TechMarket API").WithOpenApiRoutePattern("/openapi/{documentName}.json"));
        return app;
    }
}
