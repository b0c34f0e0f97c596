using System.CommandLine;
using System.Globalization;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Tool.Files;

namespace Ledger.Tool.Commands;

/// <summary><c>ledger chain export</c>: an author's chain, as a chain file, out of a device's node store.</summary>
internal static class ChainExportCommand
{
    public static Command Create(ToolContext context)
    {
        var store = new Argument<string>("node-store") { Description = "a device's SQLite node store (read-only)" };
        var author = new Option<string[]>("--author") { Description = "an author whose chain to write (repeat for several; default: every author the store holds)", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "the chain file to write (must not exist)", Required = true };
        var json = new Option<bool>("--json") { Description = "print what was written as JSON" };
        var command = new Command("export", """
            Write authors' chains from a device's node store as a chain file (docs/wire-format.md, "Chain file v1"):
            the signed ops exactly as the device holds them, each author's in seq order, so another implementation can
            decode and verify them ('ledger verify' does). The store is opened read-only.
            """ + "\n" + ExitCodes.Text)
        {
            store, author, output, json,
        };
        command.SetAction(parsed => Run(context, parsed.GetValue(store)!, parsed.GetValue(author) ?? [], parsed.GetValue(output)!, parsed.GetValue(json)));
        return command;
    }

    private static int Run(ToolContext context, string path, string[] authors, string output, bool json)
    {
        var wanted = new List<AuthorId>();
        foreach (var text in authors)
        {
            if (!AuthorId.TryCreate(text, out var id)) throw new UsageException($"--author takes an author id ([A-Za-z0-9._-], 1-64); got '{text}'.");
            wanted.Add(id);
        }

        InputFiles.MustBeNew(output, "chain file");
        var records = Completed.All(StoreFiles.ReadNodeStore(path).ReadAllAsync());
        var ops = new List<SignedOp>(records.Count);
        using (var progress = context.Progress("decoding ops"))
        {
            foreach (var record in records)
            {
                if (wanted.Count > 0 && !wanted.Contains(record.Op.Author)) continue;
                if (!SignedOpCodec.TryDecode(record.Bytes, out var op, out var error)) throw new InvalidInputException($"'{path}': the op filed as {record.Op} does not decode: {error!.Message}");
                if (op!.Ref != record.Op) throw new InvalidInputException($"'{path}': the op filed as {record.Op} is {op.Ref}.");
                ops.Add(op);
                progress.Report(ops.Count, records.Count);
            }
        }

        var missing = wanted.Where(a => ops.All(o => o.Op.Author != a)).ToArray();
        if (missing.Length > 0) throw new InvalidInputException($"'{path}' holds no op of {string.Join(", ", missing)}.");
        if (ops.Count == 0) throw new InvalidInputException($"'{path}' holds no op: there is no chain to write.");
        var ledger = ops[0].Ledger;
        if (ops.FirstOrDefault(o => o.Ledger != ledger) is { } other) throw new InvalidInputException($"'{path}' holds ops of two ledgers ('{ledger}', and '{other.Ledger}' in {other.Ref}).");

        // Authors in order of first appearance in the store, each author's ops by seq: the order a chain file keeps.
        var order = ops.Select(o => o.Op.Author).Distinct().ToArray();
        var chains = order.Select(a => ops.Where(o => o.Op.Author == a).OrderBy(o => o.Op.Seq).ToArray()).ToArray();
        var bytes = ChainFile.Encode(ledger, chains.SelectMany(c => c));
        InputFiles.WriteNew(output, "chain file", bytes);
        if (json)
        {
            Json.Write(context.Output, w =>
            {
                w.WriteStartObject();
                w.WriteString("ledger", ledger);
                w.WriteString("out", output);
                w.WriteNumber("bytes", bytes.Length);
                w.WriteStartArray("authors");
                foreach (var chain in chains)
                {
                    w.WriteStartObject();
                    w.WriteString("author", chain[0].Op.Author.Value);
                    w.WriteNumber("ops", chain.Length);
                    w.WriteNumber("firstSeq", chain[0].Op.Seq);
                    w.WriteNumber("lastSeq", chain[^1].Op.Seq);
                    w.WriteString("tip", chain[^1].ChainHash.ToString());
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            });
            return ExitCodes.Ok;
        }

        foreach (var chain in chains)
        {
            context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{chain[0].Op.Author}: {chain.Length} ops, seq {chain[0].Op.Seq}-{chain[^1].Op.Seq}, tip {chain[^1].ChainHash.ToShortString(16)}"));
        }

        context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"chain file: {output} ({bytes.Length} bytes, ledger {ledger})"));
        return ExitCodes.Ok;
    }
}
