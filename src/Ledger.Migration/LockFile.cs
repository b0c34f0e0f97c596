using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ledger.Kernel;

namespace Ledger.Migration;

/// <summary>One shipped verb version in the lock file, with the hash of what its fixture ops fold to.</summary>
public sealed record LockedVerb(string Verb, uint Version, string Scope, string ArgsSchema, int FixtureOps, string ReplayHash);

/// <summary>One shipped manifest in the lock file.</summary>
public sealed record LockedManifest(string Name, uint Version, string Id, IReadOnlyList<LockedVerb> Verbs);

/// <summary>The lock file: every shipped manifest and verb version, each verb with a golden replay hash over
/// the fixture log. A changed shipped verb changes its hash, and the check names it.</summary>
public sealed record ManifestLock(string Format, string FixtureHash, int FixtureOps, IReadOnlyList<LockedManifest> Manifests);

/// <summary>Computes, checks and updates the manifest lock file (docs/migration.md, "The lock file").</summary>
public static class LockFile
{
    /// <summary>The lock file format label.</summary>
    public const string Format = "ledger/manifest-lock/v1";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Folds <paramref name="fixture"/> under <paramref name="history"/> and hashes, per verb version,
    /// the outcome of each of its ops: status, refusal code, and every effect it applied (values written,
    /// deltas added — not merged sums, so one verb's change does not show up as another's).</summary>
    /// <param name="history">The shipped manifests.</param>
    /// <param name="fixture">The fixture log.</param>
    /// <param name="baseline">A recorded lock: hashes then cover only as many fixture ops (overall and per verb) as
    /// it recorded, so ops appended to the fixture since do not count as a change.</param>
    public static ManifestLock Compute(ManifestHistory history, IReadOnlyList<SequencedOp> fixture, ManifestLock? baseline = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(fixture);
        var limits = new Dictionary<(string, string, uint), int>();
        if (baseline is not null)
        {
            Validate(baseline);
            foreach (var m in baseline.Manifests)
            {
                foreach (var v in m.Verbs) limits[(m.Id, v.Verb, v.Version)] = v.FixtureOps;
            }
        }

        var fixtureLimit = baseline?.FixtureOps ?? int.MaxValue;
        var seen = 0;
        var kernel = new LedgerKernel(new KernelOptions { Manifests = history, TrackProvenance = false, TrackLastWrites = true });
        kernel.AdvanceRelayFrontier(long.MaxValue);
        var perVerb = new Dictionary<(ManifestId, VerbKey), (IncrementalHash Hash, int Count)>();
        var fixtureHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var entry in fixture)
        {
            if (seen++ < fixtureLimit) fixtureHash.AppendData(entry.Op.ChainHash.ToArray());
            var result = kernel.Apply(entry);
            var key = (entry.Op.Manifest, new VerbKey(entry.Op.Verb, entry.Op.VerbVersion));
            if (!perVerb.TryGetValue(key, out var acc)) acc = (IncrementalHash.CreateHash(HashAlgorithmName.SHA256), 0);
            if (limits.TryGetValue((entry.Op.Manifest.ToString(), entry.Op.Verb, entry.Op.VerbVersion), out var limit) && acc.Count >= limit) continue;
            var line = new StringBuilder();
            line.Append(CultureInfo.InvariantCulture, $"{result.Op}|{result.Status}|{result.RefusalCode}|{result.Corrections}");
            if (result.Status is ApplyStatus.Folded or ApplyStatus.Refused)
            {
                foreach (var effect in kernel.LastFoldEffects)
                {
                    line.Append('|').Append(effect.Kind).Append(' ').Append(effect.Segment).Append('/').Append(effect.Key).Append('=').Append(Convert.ToHexStringLower(effect.Value.Span));
                }
            }

            acc.Hash.AppendData(Encoding.UTF8.GetBytes(line.Append('\n').ToString()));
            perVerb[key] = (acc.Hash, acc.Count + 1);
        }

        var manifests = history.Manifests.OrderBy(m => m.Name, StringComparer.Ordinal).ThenBy(m => m.Version).Select(m => new LockedManifest(
            m.Name, m.Version, m.Id.ToString(),
            m.Verbs.Select(v =>
            {
                perVerb.TryGetValue((m.Id, v.Key), out var acc);
                var hash = acc.Hash is null ? "" : Convert.ToHexStringLower(acc.Hash.GetCurrentHash());
                return new LockedVerb(v.Name, v.Version, v.Scope.ToString().ToLowerInvariant(), v.ArgsSchema, acc.Count, hash);
            }).ToArray())).ToArray();
        return new ManifestLock(Format, Convert.ToHexStringLower(fixtureHash.GetHashAndReset()), Math.Min(fixture.Count, fixtureLimit), manifests);
    }

    /// <summary>Every way <paramref name="actual"/> breaks <paramref name="recorded"/>, as sentences that say
    /// what changed and what to do. Empty when the shipped history is intact.</summary>
    /// <exception cref="LockFileViolationException">A lock with a missing or null member, named.</exception>
    public static IReadOnlyList<string> Check(ManifestLock recorded, ManifestLock actual)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        ArgumentNullException.ThrowIfNull(actual);
        // A lock built in code (not read by FromJson) gets the same check, so a null member is named, not a crash.
        Validate(recorded);
        Validate(actual);
        var problems = new List<string>();
        if (recorded.FixtureHash != actual.FixtureHash || recorded.FixtureOps != actual.FixtureOps)
        {
            problems.Add($"the first {recorded.FixtureOps} ops of the fixture log changed: a fixture is only ever appended to when a version ships; restore it, then append and re-record.");
        }

        foreach (var old in recorded.Manifests)
        {
            var now = actual.Manifests.FirstOrDefault(m => m.Id == old.Id);
            if (now is null)
            {
                problems.Add($"shipped manifest {old.Name} v{old.Version} ({old.Id}) is no longer in the app: replicas would park its ops forever. Keep every shipped manifest.");
                continue;
            }

            foreach (var verb in old.Verbs)
            {
                var current = now.Verbs.FirstOrDefault(v => v.Verb == verb.Verb && v.Version == verb.Version);
                if (current is null)
                {
                    problems.Add($"shipped verb {verb.Verb}@{verb.Version} of {old.Name} v{old.Version} is gone.");
                }
                else if (current.ReplayHash != verb.ReplayHash)
                {
                    problems.Add($"shipped verb {verb.Verb}@{verb.Version} ({old.Name} v{old.Version}) changed behaviour: its {verb.FixtureOps} fixture ops now fold to {Short(current.ReplayHash)} instead of {Short(verb.ReplayHash)}. "
                        + $"Shipped verb versions are frozen — restore {verb.Verb}@{verb.Version} and ship the change as {verb.Verb}@{verb.Version + 1} in a new manifest version.");
                }
            }
        }

        foreach (var m in actual.Manifests.Where(m => recorded.Manifests.All(r => r.Id != m.Id)))
        {
            problems.Add($"manifest {m.Name} v{m.Version} ({m.Id}) is not in the lock file: record it (LEDGER_UPDATE_LOCK=1) when it ships, after appending fixture ops for its new verbs.");
        }

        foreach (var m in actual.Manifests)
        {
            foreach (var v in m.Verbs.Where(v => v.FixtureOps == 0))
            {
                problems.Add($"verb {v.Verb}@{v.Version} ({m.Name} v{m.Version}) has no ops in the fixture log, so a change to it would go unnoticed: append some.");
            }
        }

        return problems;
    }

    /// <summary>Checks a checked-in lock file; with <paramref name="update"/>, records manifests not yet locked and
    /// ops appended to the fixture — never a change to a locked entry. Throws <see cref="LockFileViolationException"/>
    /// listing every problem.</summary>
    public static void Verify(string path, ManifestHistory history, IReadOnlyList<SequencedOp> fixture, bool update)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            if (!update) throw Error.LockFileViolation([$"no lock file at {path}: create it with LEDGER_UPDATE_LOCK=1."]);
            File.WriteAllText(path, ToJson(Compute(history, fixture)));
            return;
        }

        var recorded = FromJson(File.ReadAllText(path));
        var problems = Check(recorded, Compute(history, fixture, recorded)).ToList();
        if (update)
        {
            problems.RemoveAll(p => p.Contains("is not in the lock file", StringComparison.Ordinal) || p.Contains("has no ops in the fixture log", StringComparison.Ordinal));
            if (problems.Count == 0)
            {
                var full = Compute(history, fixture);
                var uncovered = Check(full, full);
                if (uncovered.Count > 0) throw Error.LockFileViolation(uncovered);
                File.WriteAllText(path, ToJson(full));
                return;
            }
        }

        if (problems.Count > 0) throw Error.LockFileViolation(problems);
    }

    /// <summary>The lock file text.</summary>
    public static string ToJson(ManifestLock value) => JsonSerializer.Serialize(value, Json) + "\n";

    /// <summary>Parses lock file text.</summary>
    /// <exception cref="LockFileViolationException">Text that is not JSON, a missing or null member, a value of the
    /// wrong type, or another format; the problem names the member (e.g. <c>manifests[0].verbs</c>) and, for JSON
    /// errors, the line and byte.</exception>
    public static ManifestLock FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        ManifestLock? value;
        try
        {
            value = JsonSerializer.Deserialize<ManifestLock>(json, Json);
        }
        catch (JsonException e)
        {
            // The serializer's own exception would leak a parser type; the path, line and byte are what a person needs.
            var where = string.Create(CultureInfo.InvariantCulture, $"at {e.Path ?? "$"} (line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1})");
            throw Error.LockFileViolation([$"the lock file is damaged: not a lock file {where}: {FirstLine(e.Message)}"]);
        }

        if (value is null) throw Error.LockFileViolation(["the lock file is damaged: it is empty (null)."]);
        if (value.Format != Format) throw Error.LockFileViolation([$"the lock file format is '{value.Format}', not '{Format}'."]);
        Validate(value);
        return value;
    }

    /// <summary>Refuses a lock whose members are missing or null (the serializer fills an absent member with null, and
    /// every later step would trip over it), naming the first such member.</summary>
    private static void Validate(ManifestLock value)
    {
        static LockFileViolationException Damaged(string member, string what) => new([$"the lock file is damaged: {member} {what}."]);
        if (value.Format is null) throw Damaged("format", "is missing or null");
        if (value.FixtureHash is null) throw Damaged("fixtureHash", "is missing or null");
        if (value.FixtureOps < 0) throw Damaged("fixtureOps", "is negative");
        if (value.Manifests is null) throw Damaged("manifests", "is missing or null");
        for (var i = 0; i < value.Manifests.Count; i++)
        {
            var m = value.Manifests[i];
            var name = string.Create(CultureInfo.InvariantCulture, $"manifests[{i}]");
            if (m is null) throw Damaged(name, "is null");
            if (m.Name is null) throw Damaged(name + ".name", "is missing or null");
            if (m.Id is null) throw Damaged(name + ".id", "is missing or null");
            if (m.Verbs is null) throw Damaged(name + ".verbs", "is missing or null");
            for (var j = 0; j < m.Verbs.Count; j++)
            {
                var v = m.Verbs[j];
                var verb = string.Create(CultureInfo.InvariantCulture, $"{name}.verbs[{j}]");
                if (v is null) throw Damaged(verb, "is null");
                if (v.Verb is null) throw Damaged(verb + ".verb", "is missing or null");
                if (v.Scope is null) throw Damaged(verb + ".scope", "is missing or null");
                if (v.ArgsSchema is null) throw Damaged(verb + ".argsSchema", "is missing or null");
                if (v.ReplayHash is null) throw Damaged(verb + ".replayHash", "is missing or null");
                if (v.FixtureOps < 0) throw Damaged(verb + ".fixtureOps", "is negative");
            }
        }
    }

    private static string FirstLine(string text)
    {
        var end = text.IndexOf('\n', StringComparison.Ordinal);
        return end < 0 ? text : text[..end];
    }

    private static string Short(string hex) => hex.Length > 12 ? hex[..12] : hex;
}

/// <summary>The lock file check failed; <see cref="Problems"/> says what changed and what to do.</summary>
public sealed class LockFileViolationException(IReadOnlyList<string> problems)
    : LedgerException("manifest lock violated:\n- " + string.Join("\n- ", problems))
{
    /// <summary>Each problem, as a sentence.</summary>
    public IReadOnlyList<string> Problems { get; } = problems;
}
