using System.Globalization;

namespace Ledger.Tool;

/// <summary>Reads <c>--name value</c>, <c>--name=value</c> and <c>--flag</c> options; anything else
/// is a usage error. Hand-rolled so the tool pulls no argument-parsing package.</summary>
internal sealed class OptionReader
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    /// <summary>Parses <paramref name="arguments"/> against the options a command knows.</summary>
    /// <param name="arguments">The command's arguments.</param>
    /// <param name="valued">Options that take a value (without the leading dashes).</param>
    /// <param name="flags">Options that take none.</param>
    public OptionReader(IReadOnlyList<string> arguments, IEnumerable<string> valued, IEnumerable<string> flags)
    {
        var valuedSet = valued.ToHashSet(StringComparer.Ordinal);
        var flagSet = flags.ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (!argument.StartsWith("--", StringComparison.Ordinal) || argument.Length == 2)
            {
                throw new UsageException($"unexpected argument '{argument}'.");
            }

            var equals = argument.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? argument[2..] : argument[2..equals];
            if (flagSet.Contains(name))
            {
                if (equals >= 0)
                {
                    throw new UsageException($"--{name} takes no value.");
                }

                _flags.Add(name);
            }
            else if (valuedSet.Contains(name))
            {
                string value;
                if (equals >= 0)
                {
                    value = argument[(equals + 1)..];
                }
                else if (i + 1 < arguments.Count)
                {
                    value = arguments[++i];
                }
                else
                {
                    throw new UsageException($"--{name} needs a value.");
                }

                if (!_values.TryGetValue(name, out var list))
                {
                    _values[name] = list = [];
                }

                list.Add(value);
            }
            else
            {
                throw new UsageException($"unknown option '--{name}'.");
            }
        }
    }

    /// <summary>True when the flag was given.</summary>
    public bool Flag(string name) => _flags.Contains(name);

    /// <summary>True when the option was given at least once.</summary>
    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>Every value of a repeatable option, in order.</summary>
    public IReadOnlyList<string> All(string name) => _values.TryGetValue(name, out var list) ? list : [];

    /// <summary>The value of an option given at most once, or null.</summary>
    public string? Single(string name)
    {
        var values = All(name);
        return values.Count switch
        {
            0 => null,
            1 => values[0],
            _ => throw new UsageException($"--{name} is given {values.Count} times; give it once."),
        };
    }

    /// <summary>The integer value of an option given at most once, checked against a range, or null.</summary>
    public int? Integer(string name, int min, int max)
    {
        if (Single(name) is not { } text)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new UsageException($"--{name} takes a whole number from {min} to {max}; got '{text}'.");
        }

        return value;
    }
}
