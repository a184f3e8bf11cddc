using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms;
using Microsoft.ML.Transforms.Text;
using TechMarket.Insights.Classification;

namespace TechMarket.Insights.Trainer;

internal enum TrainerKind
{
    Lbfgs,
    Sdca,
}

/// <summary>One featurization + trainer setting; the trainer picks among these by cross-validation.</summary>
internal sealed record FieldPipeline(int CharNgrams, int WordNgrams, TrainerKind Trainer, float L1, float L2, bool TfIdf)
{
    public string Name =>
        $"char 1–{CharNgrams}" + (WordNgrams > 0 ? $" + words 1–{WordNgrams}" : "") + (TfIdf ? ", tf-idf" : ", tf") +
        (Trainer == TrainerKind.Lbfgs ? $", L-BFGS maxent (L1 {L1}, L2 {L2})" : $", SDCA maxent (L2 {L2})");

    /// <summary>The settings compared by cross-validation, simplest first.</summary>
    public static IReadOnlyList<FieldPipeline> Candidates { get; } =
    [
        new(CharNgrams: 2, WordNgrams: 0, TrainerKind.Lbfgs, L1: 0f, L2: 0.1f, TfIdf: false),
        new(CharNgrams: 2, WordNgrams: 0, TrainerKind.Lbfgs, L1: 0f, L2: 0.1f, TfIdf: true),
        new(CharNgrams: 2, WordNgrams: 0, TrainerKind.Lbfgs, L1: 0f, L2: 0.01f, TfIdf: true),
        new(CharNgrams: 2, WordNgrams: 0, TrainerKind.Lbfgs, L1: 0.01f, L2: 0.1f, TfIdf: true),
        new(CharNgrams: 3, WordNgrams: 0, TrainerKind.Lbfgs, L1: 0f, L2: 0.1f, TfIdf: true),
        new(CharNgrams: 3, WordNgrams: 1, TrainerKind.Lbfgs, L1: 0f, L2: 0.1f, TfIdf: true),
        new(CharNgrams: 3, WordNgrams: 0, TrainerKind.Sdca, L1: 0f, L2: 0.0001f, TfIdf: true),
    ];

    /// <summary>Fits on <paramref name="rows"/> with a fresh context, so a fit never depends on what ran before it.</summary>
    public ITransformer Fit(int seed, IReadOnlyList<LabeledText> rows)
    {
        var ml = new MLContext(seed);
        var data = ml.Data.LoadFromEnumerable(rows.Select(r => new FieldTrainingRow { Label = r.Field.ToString(), Text = r.Text }));

        // The label mapping is fitted apart from the saved chain: the shipped model then needs only a Text column,
        // and the Score slots still carry the label names (the TechField codes) for the classifier to read.
        var keyed = ml.Transforms.Conversion
            .MapValueToKey(FieldModelSchema.Label, keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Fit(data)
            .Transform(data);
        return Estimator(ml).Fit(keyed);
    }

    public static byte[] Save(MLContext ml, ITransformer model)
    {
        var inputSchema = ml.Data.LoadFromEnumerable(Array.Empty<FieldModelInput>()).Schema;
        using var stream = new MemoryStream();
        ml.Model.Save(model, inputSchema, stream);
        return stream.ToArray();
    }

    private IEstimator<ITransformer> Estimator(MLContext ml)
    {
        // Tf-idf damps the characters every listing shares (技, 术, 的) against the ones that tell fields apart.
        var weighting = TfIdf ? NgramExtractingEstimator.WeightingCriteria.TfIdf : NgramExtractingEstimator.WeightingCriteria.Tf;
        var options = new TextFeaturizingEstimator.Options
        {
            CaseMode = TextNormalizingEstimator.CaseMode.Lower,
            KeepDiacritics = false,
            KeepPunctuations = false,
            KeepNumbers = true,
            // Chinese has no spaces, so characters carry the signal; word n-grams only see whitespace-separated
            // runs, which for mixed text means Latin terms such as "5G", "PLC" or "CRISPR".
            CharFeatureExtractor = new WordBagEstimator.Options { NgramLength = CharNgrams, UseAllLengths = true, Weighting = weighting },
            WordFeatureExtractor = WordNgrams > 0 ? new WordBagEstimator.Options { NgramLength = WordNgrams, UseAllLengths = true, Weighting = weighting } : null,
            Norm = TextFeaturizingEstimator.NormFunction.L2,
        };
        var featurize = ml.Transforms.Text.FeaturizeText(FieldModelSchema.Features, options, FieldModelSchema.Text);

        // One thread keeps SDCA deterministic for a given seed; the data set is small enough not to need more.
        IEstimator<ITransformer> trainer = Trainer switch
        {
            TrainerKind.Lbfgs => ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = FieldModelSchema.Label,
                FeatureColumnName = FieldModelSchema.Features,
                L1Regularization = L1,
                L2Regularization = L2,
                NumberOfThreads = 1,
            }),
            TrainerKind.Sdca => ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = FieldModelSchema.Label,
                FeatureColumnName = FieldModelSchema.Features,
                L2Regularization = L2,
                NumberOfThreads = 1,
            }),
            _ => throw new InvalidOperationException($"Unknown trainer {Trainer}."),
        };
        return featurize.Append(trainer);
    }
}
