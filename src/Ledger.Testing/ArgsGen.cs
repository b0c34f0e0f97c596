using System.Globalization;
using System.Reflection;
using FsCheck;
using FsCheck.Fluent;
using MessagePack;

namespace Ledger.Testing;

/// <summary>Builds values of an app's argument types by reflection over their MessagePack shape, so a team does not
/// hand-write a generator per verb. Supported: <c>[MessagePackObject]</c> classes and records (through the
/// constructor whose parameters match the <c>[Key]</c> members, or settable <c>[Key]</c> members), nested ones,
/// strings (drawn from a small pool of keys so ops collide on rows), integers of every width (small, both signs),
/// <see cref="bool"/>, <see cref="decimal"/>, enums (their defined values), <see cref="Guid"/>, byte arrays, arrays and
/// lists of these, and nullable ones (sometimes null). A value is built from one seed drawn by FsCheck, with
/// <see cref="System.Random"/> seeded from it: the same seed builds the same value on every machine.</summary>
internal static class ArgsGen
{
    private const int MaxDepth = 4;
    private const int MaxItems = 3;

    internal static Gen<T> For<T>(IReadOnlyList<string> keys)
    {
        if (Why(typeof(T), 0) is { } why) throw Error.Argument($"cannot generate {typeof(T).Name}: {why}. Write a Gen<{typeof(T).Name}> and use VerbCase.Of.", nameof(T));
        return Gen.Choose(0, int.MaxValue).Select(seed => (T)Build(typeof(T), new System.Random(seed), keys, 0)!);
    }

    // Why a type cannot be generated (null when it can), checked once up front so a failure names the member.
    private static string? Why(Type type, int depth)
    {
        if (depth > MaxDepth) return $"{type.Name} nests deeper than {MaxDepth}";
        if (Scalar(type) || type.IsEnum || type == typeof(byte[])) return null;
        if (Nullable.GetUnderlyingType(type) is { } inner) return Why(inner, depth);
        if (Element(type) is { } element) return Why(element, depth + 1);
        if (type.GetCustomAttribute<MessagePackObjectAttribute>() is null) return $"{type.Name} is neither a supported scalar nor a [MessagePackObject]";
        if (Members(type).Count == 0) return $"{type.Name} has no [Key] members";
        foreach (var member in Members(type))
        {
            if (Why(MemberType(member), depth + 1) is { } why) return $"{type.Name}.{member.Name}: {why}";
        }

        return Constructor(type) is null && Members(type).Any(m => m is PropertyInfo { CanWrite: false })
            ? $"{type.Name} has read-only [Key] members and no constructor taking them"
            : null;
    }

    private static object? Build(Type type, System.Random random, IReadOnlyList<string> keys, int depth)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying) return random.Next(4) == 0 ? null : Build(underlying, random, keys, depth);
        if (type == typeof(string)) return keys[random.Next(keys.Count)];
        if (type == typeof(bool)) return random.Next(2) == 1;
        if (type == typeof(byte[])) return Bytes(random);
        if (type == typeof(Guid)) return new Guid(Bytes(random, 16));
        if (type == typeof(decimal)) return new decimal(random.Next(-100_000, 100_000)) / 100m;
        if (type.IsEnum)
        {
            var defined = Enum.GetValuesAsUnderlyingType(type);
            return defined.Length == 0 ? Activator.CreateInstance(type) : Enum.ToObject(type, defined.GetValue(random.Next(defined.Length))!);
        }

        if (Integer(type)) return Convert.ChangeType(Small(type, random), type, CultureInfo.InvariantCulture);
        if (Element(type) is { } element)
        {
            var items = Array.CreateInstance(element, random.Next(MaxItems + 1));
            for (var i = 0; i < items.Length; i++) items.SetValue(Build(element, random, keys, depth + 1), i);
            if (type.IsArray) return items;
            var list = (System.Collections.IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
            foreach (var item in items) list.Add(item);
            return list;
        }

        var members = Members(type);
        var values = members.ToDictionary(m => m, m => Build(MemberType(m), random, keys, depth + 1));
        if (Constructor(type) is { } ctor)
        {
            var args = ctor.GetParameters().Select(p => values.First(v => string.Equals(v.Key.Name, p.Name, StringComparison.OrdinalIgnoreCase)).Value).ToArray();
            return ctor.Invoke(args);
        }

        var instance = Activator.CreateInstance(type)!;
        foreach (var (member, value) in values)
        {
            if (member is PropertyInfo property) property.SetValue(instance, value);
            else ((FieldInfo)member).SetValue(instance, value);
        }

        return instance;
    }

    private static long Small(Type type, System.Random random)
    {
        var unsigned = type == typeof(byte) || type == typeof(ushort) || type == typeof(uint) || type == typeof(ulong);
        var max = type == typeof(byte) || type == typeof(sbyte) ? 100 : 10_000;
        return unsigned ? random.Next(0, max) : random.Next(-max, max);
    }

    private static byte[] Bytes(System.Random random, int? length = null)
    {
        var bytes = new byte[length ?? random.Next(0, 9)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static bool Integer(Type t) =>
        t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(sbyte) || t == typeof(byte) || t == typeof(ushort) || t == typeof(uint) || t == typeof(ulong);

    private static bool Scalar(Type t) => Integer(t) || t == typeof(string) || t == typeof(bool) || t == typeof(decimal) || t == typeof(Guid);

    private static Type? Element(Type type)
    {
        if (type.IsArray && type != typeof(byte[])) return type.GetElementType();
        if (!type.IsGenericType) return null;
        var definition = type.GetGenericTypeDefinition();
        return definition == typeof(List<>) || definition == typeof(IReadOnlyList<>) || definition == typeof(IList<>)
            || definition == typeof(IEnumerable<>) || definition == typeof(IReadOnlyCollection<>)
            ? type.GetGenericArguments()[0]
            : null;
    }

    // [Key] members in key order (integer keys; string keys by name).
    private static List<MemberInfo> Members(Type type) =>
        type.GetMembers(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m is PropertyInfo or FieldInfo && m.GetCustomAttribute<KeyAttribute>() is not null)
            .OrderBy(m => m.GetCustomAttribute<KeyAttribute>()!.IntKey ?? int.MaxValue)
            .ThenBy(m => m.GetCustomAttribute<KeyAttribute>()!.StringKey, StringComparer.Ordinal)
            .ToList();

    private static Type MemberType(MemberInfo member) => member is PropertyInfo p ? p.PropertyType : ((FieldInfo)member).FieldType;

    // The constructor whose parameters are exactly the [Key] members (a positional record's primary constructor).
    private static ConstructorInfo? Constructor(Type type)
    {
        var names = Members(type).Select(m => m.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return type.GetConstructors().FirstOrDefault(c => c.GetParameters().Length == names.Count && c.GetParameters().All(p => p.Name is { } n && names.Contains(n)));
    }
}
