using Ledger.Tool;

// Progress is drawn only where a person watches it: never into a file or a pipe.
return LedgerCli.Run(args, Console.In, Console.Out, Console.Error, showProgress: !Console.IsErrorRedirected);
