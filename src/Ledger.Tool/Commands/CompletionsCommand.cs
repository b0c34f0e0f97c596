using System.CommandLine;

namespace Ledger.Tool.Commands;

/// <summary><c>ledger completions &lt;shell&gt;</c>: a tab-completion script that asks the tool itself (System.CommandLine's
/// <c>[suggest]</c> directive), so completions follow the commands of the installed version.</summary>
internal static class CompletionsCommand
{
    public static Command Create(ToolContext context)
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or pwsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh", "pwsh");
        var command = new Command("completions", """
            Print a tab-completion script for a shell. Load it from the shell's profile:
              bash:  source <(ledger completions bash)          (in ~/.bashrc)
              zsh:   source <(ledger completions zsh)           (in ~/.zshrc)
              pwsh:  ledger completions pwsh | Out-String | Invoke-Expression   (in $PROFILE)
            """ + "\n" + ExitCodes.Text)
        {
            shell,
        };
        command.SetAction(parsed =>
        {
            context.Output.Write(parsed.GetValue(shell) switch
            {
                "bash" => Bash,
                "zsh" => Zsh,
                _ => Pwsh,
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    private const string Bash = """
        _ledger_complete() {
            local IFS=$'\n'
            COMPREPLY=( $(ledger "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null) )
        }
        complete -o default -F _ledger_complete ledger

        """;

    private const string Zsh = """
        _ledger_complete() {
            local -a candidates
            candidates=( ${(f)"$(ledger "[suggest:${#BUFFER}]" "$BUFFER" 2>/dev/null)"} )
            compadd -- $candidates
        }
        compdef _ledger_complete ledger

        """;

    private const string Pwsh = """
        Register-ArgumentCompleter -Native -CommandName ledger -ScriptBlock {
            param($wordToComplete, $commandAst, $cursorPosition)
            ledger "[suggest:$cursorPosition]" "$commandAst" 2>$null | ForEach-Object {
                [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
            }
        }

        """;
}
