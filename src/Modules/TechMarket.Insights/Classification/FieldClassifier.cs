using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace TechMarket.Insights.Classification;

/// <summary>
/// ML.NET text classifier over the eight high-tech fields. The default constructor loads the model shipped
/// inside this assembly; register one instance as a singleton. Thread-safe.
/// </summary>
public sealed class FieldClassifier : IFieldClassifier, IDisposable
{
    private readonly MLContext _ml = new();
    private readonly ITransformer _model;
    private readonly TechField[] _slotFields;

    // A PredictionEngine is not thread-safe but is costly to build, so each call borrows one and gives it back;
    // the bag never holds more engines than the highest number of concurrent callers seen.
    private readonly ConcurrentBag<PredictionEngine<FieldModelInput, FieldModelOutput>> _engines = [];
    private volatile bool _disposed;

    /// <summary>Loads the model embedded in this assembly.</summary>
    public FieldClassifier()
        : this(OpenEmbeddedModel())
    {
    }

    /// <summary>Loads a model zip written by the trainer, e.g. one retrained with user corrections.</summary>
    public FieldClassifier(string modelPath)
        : this(File.ReadAllBytes(modelPath))
    {
    }

    /// <summary>Loads a model zip from a stream; the stream is read to its end and not disposed.</summary>
    public FieldClassifier(Stream modelStream)
        : this(ReadAll(modelStream))
    {
    }

    private FieldClassifier(byte[] modelBytes)
    {
        ModelVersion = Convert.ToHexStringLower(SHA256.HashData(modelBytes))[..12];
        using var stream = new MemoryStream(modelBytes, writable: false);
        _model = _ml.Model.Load(stream, out var inputSchema);
        _slotFields = ReadSlotFields(_model.GetOutputSchema(inputSchema));
    }

    /// <summary>
    /// Short content hash of the loaded model. Store it with each classification so that rows classified by an
    /// older model can be found and reclassified after a retrain.
    /// </summary>
    public string ModelVersion { get; }

    public FieldPrediction Predict(string title, string text)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var input = new FieldModelInput { Text = FieldModelSchema.Compose(title.Trim(), text.Trim()) };

        var engine = Rent();
        float[] scores;
        try
        {
            // The engine reuses its output buffer, so copy the scores before handing the engine back.
            scores = [.. engine.Predict(input).Score];
        }
        finally
        {
            Return(engine);
        }

        var ranked = new (TechField Field, float Score)[scores.Length];
        for (var i = 0; i < scores.Length; i++)
        {
            ranked[i] = (_slotFields[i], scores[i]);
        }

        // Ties fall back to the enum order so the ranking never depends on the model's slot order.
        Array.Sort(ranked, static (a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : a.Field.CompareTo(b.Field));
        return new FieldPrediction(ranked[0].Field, ranked[0].Score, ranked);
    }

    public void Dispose()
    {
        _disposed = true;
        while (_engines.TryTake(out var engine))
        {
            engine.Dispose();
        }
    }

    private PredictionEngine<FieldModelInput, FieldModelOutput> Rent() =>
        _engines.TryTake(out var engine)
            ? engine
            : _ml.Model.CreatePredictionEngine<FieldModelInput, FieldModelOutput>(_model);

    private void Return(PredictionEngine<FieldModelInput, FieldModelOutput> engine)
    {
        if (_disposed)
        {
            engine.Dispose();
            return;
        }

        _engines.Add(engine);
    }

    // The score vector is ordered by the label keys the trainer saw; their names are the TechField codes.
    private static TechField[] ReadSlotFields(DataViewSchema outputSchema)
    {
        var scoreColumn = outputSchema.GetColumnOrNull(FieldModelSchema.Score)
            ?? throw new InvalidDataException("The field model has no Score column.");
        if (!scoreColumn.HasSlotNames())
        {
            throw new InvalidDataException("The field model's Score column has no slot names.");
        }

        VBuffer<ReadOnlyMemory<char>> names = default;
        scoreColumn.GetSlotNames(ref names);
        var fields = names.DenseValues()
            .Select(name => Enum.TryParse<TechField>(name.Span, out var field) && Enum.IsDefined(field)
                ? field
                : throw new InvalidDataException($"The field model has an unknown label '{name}'."))
            .ToArray();
        if (fields.Distinct().Count() != Enum.GetValues<TechField>().Length)
        {
            throw new InvalidDataException($"The field model knows {fields.Distinct().Count()} fields; all {Enum.GetValues<TechField>().Length} are required.");
        }

        return fields;
    }

    private static byte[] OpenEmbeddedModel()
    {
        using var stream = typeof(FieldClassifier).Assembly.GetManifestResourceStream(FieldModelSchema.EmbeddedModelName)
            ?? throw new InvalidOperationException($"Embedded resource {FieldModelSchema.EmbeddedModelName} is missing; run the trainer and rebuild.");
        return ReadAll(stream);
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
