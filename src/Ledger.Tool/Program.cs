using Ledger.Tool;

return LedgerCli.Run(args, Console.In, Console.Out, Console.Error);
