# tandem completion for fish: tandem completion fish > ~/.config/fish/completions/tandem.fish
function __tandem_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l next (env TANDEM_COMPLETE_WORD=$cur $words --generate-bash-completion 2>/dev/null)
    if test (count $next) -gt 0
        printf '%s\n' $next
    else
        __fish_complete_path $cur
    end
end
complete -c tandem -f -a '(__tandem_complete)'
