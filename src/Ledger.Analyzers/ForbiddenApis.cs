using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Ledger.Analyzers;

/// <summary>The APIs that are forbidden in verb code by what they are (clocks, randomness, threads, I/O,
/// environment, transcendental math, reflection order), resolved to symbols of one compilation. A
/// member ban beats a type ban, which beats a namespace ban, so <c>Environment.TickCount</c> is a clock
/// while the rest of <c>Environment</c> is environment.</summary>
internal sealed class ForbiddenApis
{
    private static readonly string[] TranscendentalNames =
    [
        "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Atan2", "Sinh", "Cosh", "Tanh", "Asinh", "Acosh", "Atanh",
        "SinCos", "SinPi", "CosPi", "TanPi", "SinCosPi", "AsinPi", "AcosPi", "AtanPi", "Atan2Pi",
        "Exp", "Exp2", "Exp10", "ExpM1", "Exp2M1", "Exp10M1", "Log", "Log2", "Log10", "LogP1", "Log2P1", "Log10P1",
        "Pow", "Sqrt", "Cbrt", "RootN", "Hypot",
    ];

    private readonly Compilation _compilation;
    private readonly Dictionary<ISymbol, Ban> _members = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<INamedTypeSymbol, Ban> _types = new(SymbolEqualityComparer.Default);
    private readonly HashSet<INamedTypeSymbol> _allowed = new(SymbolEqualityComparer.Default);
    private readonly List<(string[] Namespace, Ban Ban)> _namespaces = [];

    public ForbiddenApis(Compilation compilation)
    {
        _compilation = compilation;

        var clock = Rules.WallClock;
        Members("System.DateTime", clock, "reads the wall clock", "Now", "UtcNow", "Today");
        Members("System.DateTimeOffset", clock, "reads the wall clock", "Now", "UtcNow");
        Members("System.Environment", clock, "reads the system uptime", "TickCount", "TickCount64");
        Types(clock, "measures elapsed time", "System.Diagnostics.Stopwatch");
        Types(clock, "reads a clock", "System.TimeProvider");
        Types(clock, "schedules by the clock", "System.Threading.Timer", "System.Timers.Timer", "System.Threading.PeriodicTimer", "System.Threading.ITimer");

        var random = Rules.Randomness;
        Members("System.Guid", random, "mints a random id", "NewGuid");
        Members("System.Guid", random, "mints an id from random bits (and the clock unless given a timestamp)", "CreateVersion7");
        Members("System.IO.Path", random, "draws a random name", "GetRandomFileName");
        Types(random, "draws random numbers", "System.Random");
        Types(random, "draws random bytes", "System.Security.Cryptography.RandomNumberGenerator");

        var threads = Rules.Concurrency;
        Namespace(threads, "runs work asynchronously", "System", "Threading", "Tasks");
        Namespace(threads, "passes data between concurrent tasks", "System", "Threading", "Channels");
        Types(threads, "runs or coordinates threads",
            "System.Threading.Thread", "System.Threading.ThreadPool", "System.Threading.Monitor", "System.Threading.Mutex",
            "System.Threading.Semaphore", "System.Threading.SemaphoreSlim", "System.Threading.WaitHandle",
            "System.Threading.ManualResetEventSlim", "System.Threading.CountdownEvent", "System.Threading.Barrier",
            "System.Threading.SpinWait", "System.Threading.SpinLock", "System.Threading.ReaderWriterLock",
            "System.Threading.ReaderWriterLockSlim", "System.Threading.ThreadLocal`1", "System.Threading.AsyncLocal`1",
            "System.Threading.ExecutionContext", "System.Threading.SynchronizationContext",
            "System.Threading.CancellationTokenSource", "System.Threading.Lock", "System.Linq.ParallelEnumerable");

        var io = Rules.InputOutput;
        Types(io, "touches the file system",
            "System.IO.File", "System.IO.FileSystemInfo", "System.IO.Directory", "System.IO.FileStream",
            "System.IO.FileSystemWatcher", "System.IO.DriveInfo", "System.IO.RandomAccess", "System.IO.Compression.ZipFile",
            "System.IO.Compression.ZipFileExtensions");
        Members("System.IO.Path", io, "reads the file system or the process environment", "GetFullPath", "GetTempPath", "GetTempFileName", "Exists");
        Constructors("System.IO.StreamReader", io, "opens a file", firstParameter: SpecialType.System_String);
        Constructors("System.IO.StreamWriter", io, "opens a file", firstParameter: SpecialType.System_String);
        Types(io, "uses the console", "System.Console");
        Types(io, "starts or inspects processes", "System.Diagnostics.Process", "System.Diagnostics.ProcessStartInfo");
        Namespace(io, "touches files or devices", "System", "IO", "Pipes");
        Namespace(io, "touches files or devices", "System", "IO", "IsolatedStorage");
        Namespace(io, "touches files or devices", "System", "IO", "MemoryMappedFiles");
        Namespace(io, "touches files or devices", "System", "IO", "Ports");
        Namespace(io, "touches files or devices", "System", "IO", "Enumeration");
        Namespace(io, "uses the network", "System", "Net");
        Allow("System.Net.WebUtility", "System.Net.IPAddress", "System.Net.IPNetwork", "System.Net.IPEndPoint");
        Namespace(io, "uses a database", "System", "Data");
        Namespace(io, "uses a database", "Microsoft", "Data");
        Namespace(io, "uses a database", "Microsoft", "EntityFrameworkCore");
        Namespace(io, "uses a database", "Npgsql");
        Namespace(io, "uses a database", "Dapper");
        Namespace(io, "reads the registry or the desktop session", "Microsoft", "Win32");

        var environment = Rules.Environment;
        Types(environment, "reads the process environment", "System.Environment", "System.AppDomain");
        Types(environment, "reads runtime switches", "System.AppContext");
        Types(environment, "reads the runtime's memory state", "System.GC");
        Types(environment, "reads the platform", "System.Runtime.InteropServices.RuntimeInformation", "System.OperatingSystem");
        Types(environment, "reads the current region", "System.Globalization.RegionInfo");
        Types(environment, "uses the local time zone", "System.TimeZone");
        Members("System.Globalization.CultureInfo", environment, "reads the current culture",
            "CurrentCulture", "CurrentUICulture", "DefaultThreadCurrentCulture", "DefaultThreadCurrentUICulture", "InstalledUICulture");
        Members("System.Threading.Thread", environment, "reads the current culture", "CurrentCulture", "CurrentUICulture");
        Members("System.Globalization.CultureInfo", environment, "loads culture data from the operating system",
            "GetCultureInfo", "GetCultureInfoByIetfLanguageTag", "CreateSpecificCulture", "GetCultures", ".ctor");
        Members("System.Globalization.NumberFormatInfo", environment, "reads the current culture", "CurrentInfo");
        Members("System.Globalization.DateTimeFormatInfo", environment, "reads the current culture", "CurrentInfo");
        Members("System.TimeZoneInfo", environment, "reads the local time-zone database",
            "Local", "FindSystemTimeZoneById", "TryFindSystemTimeZoneById", "GetSystemTimeZones", "ConvertTimeBySystemTimeZoneId", "ClearCachedData");
        Members("System.TimeZoneInfo", environment, "converts from the local time zone", "ConvertTimeToUtc", parameterCount: 1);
        Members("System.DateTime", environment, "uses the local time zone",
            "ToLocalTime", "ToUniversalTime", "ToFileTime", "FromFileTime", "IsDaylightSavingTime");
        Members("System.DateTimeOffset", environment, "uses the local time zone", "ToLocalTime", "LocalDateTime", "op_Implicit");
        Constructors("System.DateTimeOffset", environment, "uses the local time zone's offset", firstParameter: SpecialType.System_DateTime, parameterCount: 1);

        // The CPU: vector widths and instruction sets differ between devices, so code that branches on them folds differently.
        Members("System.Numerics.Vector`1", environment, "is the CPU's vector width", "Count");
        Members("System.Numerics.Vector", environment, "depends on the CPU", "IsHardwareAccelerated");
        foreach (var vector in new[] { "System.Runtime.Intrinsics.Vector64", "System.Runtime.Intrinsics.Vector128", "System.Runtime.Intrinsics.Vector256", "System.Runtime.Intrinsics.Vector512" })
        {
            Members(vector, environment, "depends on the CPU", "IsHardwareAccelerated");
        }

        Namespace(environment, "depends on the CPU's instruction set", "System", "Runtime", "Intrinsics", "X86");
        Namespace(environment, "depends on the CPU's instruction set", "System", "Runtime", "Intrinsics", "Arm");
        Namespace(environment, "depends on the CPU's instruction set", "System", "Runtime", "Intrinsics", "Wasm");
        Members("System.Runtime.CompilerServices.Unsafe", environment, "reads a memory address, which differs between runs", "AsPointer", "ByteOffset");
        Members("System.Runtime.InteropServices.GCHandle", environment, "reads a memory address, which differs between runs", "AddrOfPinnedObject", "ToIntPtr");

        // Exception messages are resources in the current UI culture and change between runtime versions.
        Members("System.Exception", Rules.CultureSensitive, "is text in the current UI culture that changes between runtime versions", "Message");

        var floating = Rules.FloatingPoint;
        foreach (var type in new[] { "System.Math", "System.MathF", "System.Double", "System.Single", "System.Half" })
        {
            Members(type, floating, "computes a transcendental function whose last bits differ between platforms", TranscendentalNames);
        }

        Types(floating, "computes in floating point", "System.Numerics.Complex");

        var reflection = Rules.Reflection;
        Members("System.Type", reflection, "lists members in an unspecified order",
            "GetMembers", "GetMethods", "GetProperties", "GetFields", "GetEvents", "GetConstructors", "GetNestedTypes",
            "GetInterfaces", "GetDefaultMembers", "FindMembers", "FindInterfaces");
        Members("System.Type", reflection, "loads a type by name, which depends on what is deployed", "GetType", "ReflectionOnlyGetType");
        Members("System.Reflection.TypeInfo", reflection, "lists members in an unspecified order",
            "DeclaredMembers", "DeclaredMethods", "DeclaredProperties", "DeclaredFields", "DeclaredEvents",
            "DeclaredConstructors", "DeclaredNestedTypes", "ImplementedInterfaces");
        Members("System.Reflection.Assembly", reflection, "lists types in an unspecified order",
            "GetTypes", "GetExportedTypes", "DefinedTypes", "ExportedTypes", "GetForwardedTypes", "GetModules");
        Members("System.Reflection.Assembly", reflection, "loads code by name, which depends on what is deployed",
            "Load", "LoadFrom", "LoadFile", "UnsafeLoadFrom", "GetEntryAssembly", "GetCallingAssembly");
        Members("System.AppDomain", reflection, "lists loaded assemblies, which depends on history", "GetAssemblies");
        Types(reflection, "creates instances by late binding", "System.Activator");
    }

    /// <summary>The ban on <paramref name="member"/> (a method, property, field or event), or null.</summary>
    public Ban? Find(ISymbol member)
    {
        var definition = member.OriginalDefinition;
        if (_members.TryGetValue(definition, out var ban)) return ban;
        for (var method = definition as IMethodSymbol; method?.OverriddenMethod is { } overridden; method = overridden.OriginalDefinition)
        {
            if (_members.TryGetValue(overridden.OriginalDefinition, out ban)) return ban;
        }

        for (var property = definition as IPropertySymbol; property?.OverriddenProperty is { } overridden; property = overridden.OriginalDefinition)
        {
            if (_members.TryGetValue(overridden.OriginalDefinition, out ban)) return ban;
        }

        var containing = definition.ContainingType;
        for (var type = containing; type is not null; type = type.BaseType)
        {
            if (_types.TryGetValue(type.OriginalDefinition, out ban)) return ban;
        }

        if (containing is null || _allowed.Contains(containing.OriginalDefinition)) return null;
        var outermost = containing;
        while (outermost.ContainingType is not null) outermost = outermost.ContainingType;
        var ns = NamespaceParts(outermost.ContainingNamespace);
        foreach (var (prefix, namespaceBan) in _namespaces)
        {
            if (prefix.Length <= ns.Count && prefix.Select((part, i) => part == ns[i]).All(same => same)) return namespaceBan;
        }

        return null;
    }

    private static List<string> NamespaceParts(INamespaceSymbol? ns)
    {
        var parts = new List<string>();
        for (; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace) parts.Insert(0, ns.Name);
        return parts;
    }

    private void Members(string typeName, DiagnosticDescriptor rule, string reason, params string[] names) =>
        Members(typeName, rule, reason, names, parameterCount: null);

    private void Members(string typeName, DiagnosticDescriptor rule, string reason, string name, int parameterCount) =>
        Members(typeName, rule, reason, [name], parameterCount);

    private void Members(string typeName, DiagnosticDescriptor rule, string reason, string[] names, int? parameterCount)
    {
        var type = _compilation.GetTypeByMetadataName(typeName);
        if (type is null) return;
        var ban = new Ban(rule, reason);
        foreach (var name in names)
        {
            foreach (var member in type.GetMembers(name))
            {
                if (parameterCount is { } count && (member is not IMethodSymbol m || m.Parameters.Length != count)) continue;
                _members[member] = ban;
            }
        }
    }

    private void Constructors(string typeName, DiagnosticDescriptor rule, string reason, SpecialType firstParameter, int? parameterCount = null)
    {
        var type = _compilation.GetTypeByMetadataName(typeName);
        if (type is null) return;
        var ban = new Ban(rule, reason);
        foreach (var ctor in type.InstanceConstructors)
        {
            if (ctor.Parameters.Length == 0 || ctor.Parameters[0].Type.SpecialType != firstParameter) continue;
            if (parameterCount is { } count && ctor.Parameters.Length != count) continue;
            _members[ctor] = ban;
        }
    }

    private void Types(DiagnosticDescriptor rule, string reason, params string[] typeNames)
    {
        var ban = new Ban(rule, reason);
        foreach (var name in typeNames)
        {
            if (_compilation.GetTypeByMetadataName(name) is { } type) _types[type] = ban;
        }
    }

    private void Namespace(DiagnosticDescriptor rule, string reason, params string[] parts) => _namespaces.Add((parts, new Ban(rule, reason)));

    private void Allow(params string[] typeNames)
    {
        foreach (var name in typeNames)
        {
            if (_compilation.GetTypeByMetadataName(name) is { } type) _allowed.Add(type);
        }
    }
}
