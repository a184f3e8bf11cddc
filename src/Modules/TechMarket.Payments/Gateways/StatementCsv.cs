using System.Globalization;
using System.Text;
using TechMarket.Payments.Gateways.Alipay;

namespace TechMarket.Payments.Gateways;

/// <summary>
/// The statement file: one line per money movement. Alipay's real bill is a zipped GBK CSV with Chinese headers;
/// the sandbox bank serves this simpler UTF-8 form (kind,out_trade_no,trade_no,amount,out_request_no).
/// </summary>
internal static class StatementCsv
{
    public const string Header = "kind,out_trade_no,trade_no,amount,out_request_no";

    public static string Write(IEnumerable<StatementLine> lines)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (var line in lines)
        {
            text.Append(line.Kind == StatementLineKind.Payment ? "payment" : "refund").Append(',')
                .Append(line.Reference).Append(',').Append(line.ProviderTradeNo).Append(',')
                .Append(AlipaySignature.Yuan(line.Amount)).Append(',').Append(line.RefundRequestNo).Append('\n');
        }

        return text.ToString();
    }

    public static IReadOnlyList<StatementLine> Parse(string csv)
    {
        var result = new List<StatementLine>();
        foreach (var raw in csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(1))
        {
            var cells = raw.Split(',');
            if (cells.Length < 4)
            {
                throw new FormatException($"Statement line '{raw}' has too few columns.");
            }

            result.Add(new StatementLine(
                cells[0] == "refund" ? StatementLineKind.Refund : StatementLineKind.Payment,
                cells[1],
                cells[2],
                decimal.Parse(cells[3], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture),
                cells.Length > 4 && cells[4].Length > 0 ? cells[4] : null));
        }

        return result;
    }
}
