using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: Xunit.TestFramework("Ledger.Sync.PostgreSql.Tests.SkippingTestFramework", "Ledger.Sync.PostgreSql.Tests")]

namespace Ledger.Sync.PostgreSql.Tests;

/// <summary>xunit 2 has no dynamic skip, and the conformance facts are inherited (their attributes cannot change): a
/// test that fails with <see cref="PostgreSqlServer.SkipToken"/> (PostgreSQL missing, outside CI) is reported skipped,
/// with the message as the reason. In CI the test fails instead (PostgreSqlServer.Require).</summary>
public sealed class SkippingTestFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName) => new Executor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Executor(AssemblyName assemblyName, ISourceInformationProvider sourceInformationProvider, IMessageSink diagnosticMessageSink)
        : XunitTestFrameworkExecutor(assemblyName, sourceInformationProvider, diagnosticMessageSink)
    {
        protected override void RunTestCases(IEnumerable<IXunitTestCase> testCases, IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions) =>
            base.RunTestCases(testCases, new SkippingSink(executionMessageSink), executionOptions);
    }

    private sealed class SkippingSink(IMessageSink inner) : LongLivedMarshalByRefObject, IMessageSink
    {
        public bool OnMessage(IMessageSinkMessage message)
        {
            if (message is ITestFailed failed && failed.Messages.Length > 0 && failed.Messages[0]?.StartsWith(PostgreSqlServer.SkipToken, StringComparison.Ordinal) == true)
            {
                return inner.OnMessage(new TestSkipped(failed.Test, failed.Messages[0][PostgreSqlServer.SkipToken.Length..]));
            }

            return inner.OnMessage(message);
        }
    }
}
