using System.Diagnostics;
using Microsoft.ML;
using TechMarket.Insights.Classification;
using TechMarket.Insights.Trainer;

// Trains the P1 field classifier: reads the labelled TSV (plus optional user corrections), picks a pipeline by
// cross-validation on the training 80%, measures it once on the held-out 20%, refits it on every row, and
// writes the model zip into the module and the figures into docs/classification.md.
const int Seed = 20240917;
const double TestShare = 0.2;
const int Folds = 5;

if (args is ["-h" or "--help"] || args.Length > 1 || args is [['-', ..]])
{
    Console.WriteLine("usage: dotnet run --project tools/TechMarket.Insights.Trainer -c Release [-- corrections.tsv]");
    Console.WriteLine("  corrections.tsv  optional extra rows in the dataset's format (header \"field<TAB>text\");");
    Console.WriteLine("                   a row whose text is already in the dataset relabels it, the rest are added to training.");
    return args is ["-h" or "--help"] ? 0 : 2;
}

var root = FindRepositoryRoot();
var moduleDir = Path.Combine(root, "src", "Modules", "TechMarket.Insights", "Classification");
var dataPath = Path.Combine(moduleDir, "Data", "fields.tsv");
var modelPath = Path.Combine(moduleDir, "Model", "field-classifier.zip");
var docsPath = Path.Combine(root, "docs", "classification.md");
var correctionsPath = args.Length == 1 ? Path.GetFullPath(args[0]) : null;

List<LabeledText> rows, correctionRows;
try
{
    rows = LabeledDataset.Read(dataPath, rejectDuplicates: true);
    correctionRows = correctionsPath is null ? [] : LabeledDataset.Read(correctionsPath, rejectDuplicates: false);
}
catch (Exception e) when (e is InvalidDataException or IOException)
{
    // Bad input files are the user's to fix: say where, without a stack trace.
    Console.Error.WriteLine(e.Message);
    return 1;
}

var (train, test) = LabeledDataset.StratifiedSplit(rows, TestShare, Seed);
var corrections = new CorrectionsSummary(correctionsPath is null ? null : Path.GetRelativePath(root, correctionsPath), correctionRows.Count, 0, 0);
if (correctionsPath is not null)
{
    int overrides, added;
    (train, test, overrides, added) = LabeledDataset.ApplyCorrections(train, test, correctionRows);
    corrections = corrections with { Overrides = overrides, Added = added };
}

Console.WriteLine($"Dataset: {rows.Count} rows; training {train.Count}, held out {test.Count}; corrections: {corrections.Rows}.");

var ml = new MLContext(Seed);
var stopwatch = Stopwatch.StartNew();
var folds = LabeledDataset.StratifiedFolds(train, Folds, Seed);
var candidates = new List<CandidateResult>();
foreach (var pipeline in FieldPipeline.Candidates)
{
    var foldResults = folds.Select(f => Measure(pipeline.Fit(Seed, f.Train), f.Validation)).ToList();
    var result = new CandidateResult(pipeline, foldResults.Average(e => e.MicroAccuracy), foldResults.Average(e => e.MacroAccuracy));
    candidates.Add(result);
    Console.WriteLine($"  {Folds}-fold CV  {result.Pipeline.Name}: micro {result.Micro:P1}, macro {result.Macro:P1}  [{stopwatch.Elapsed:mm\\:ss}]");
}

// Highest CV macro accuracy wins; on a tie the earlier (simpler) candidate stays.
var chosen = candidates.Aggregate((best, next) => next.Macro > best.Macro ? next : best);
Console.WriteLine($"Chosen: {chosen.Pipeline.Name}");

var heldOut = Measure(chosen.Pipeline.Fit(Seed, train), test);
Console.WriteLine($"Held-out ({heldOut.Total} rows): micro accuracy {heldOut.MicroAccuracy:P1}, macro accuracy {heldOut.MacroAccuracy:P1}");

// The shipped model learns from every row; the held-out figures above estimate its quality.
var modelBytes = FieldPipeline.Save(ml, chosen.Pipeline.Fit(Seed, [.. train, .. test]));
Directory.CreateDirectory(Path.GetDirectoryName(modelPath)!);
File.WriteAllBytes(modelPath, modelBytes);
string modelVersion;
using (var shipped = new FieldClassifier(modelPath))
{
    modelVersion = shipped.ModelVersion;
}

Console.WriteLine($"Model written: {Path.GetRelativePath(root, modelPath)} ({modelBytes.Length / 1024} KiB, version {modelVersion})");

var report = new ClassificationReport(
    DateOnly.FromDateTime(DateTime.UtcNow), Seed, TestShare, Folds,
    rows, train, test, corrections, candidates, chosen, heldOut, modelBytes.Length, modelVersion);
Directory.CreateDirectory(Path.GetDirectoryName(docsPath)!);
File.WriteAllText(docsPath, report.ToMarkdown());
Console.WriteLine($"Report written: {Path.GetRelativePath(root, docsPath)}");
return 0;

Evaluation Measure(ITransformer model, IEnumerable<LabeledText> rows)
{
    // Evaluate through the same save/load path and classifier the application uses.
    using var classifier = new FieldClassifier(new MemoryStream(FieldPipeline.Save(ml, model)));
    return Evaluation.Run(classifier, rows);
}

static string FindRepositoryRoot()
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TechMarket.slnx")))
            {
                return dir.FullName;
            }
        }
    }

    throw new DirectoryNotFoundException("TechMarket.slnx not found above the current directory; run from the repository.");
}
