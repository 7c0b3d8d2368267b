<#
.SYNOPSIS
    Builds the Windows installer of Clozapine REMS Desk: a one-folder PyInstaller bundle,
    Authenticode-signed, wrapped in a per-machine MSI (WiX Toolset 5), itself signed.

.DESCRIPTION
    Run from anywhere on a Windows 10/11 x64 machine with Python 3.11 and the .NET SDK:

        powershell -ExecutionPolicy Bypass -File installer\windows\build.ps1

    Each step can also be run alone (the CI workflow calls them one by one, so that each
    step sees only the secrets it needs):

        build.ps1 -Step Freeze      # build venv, pinned installs, PyInstaller -> dist\clozapine-desk\
        build.ps1 -Step SignExes    # sign clozapine-desk.exe and clozapine-desk-cli.exe
        build.ps1 -Step Msi         # WiX -> dist\clozapine-desk-<version>-windows-x64.msi
        build.ps1 -Step SignMsi     # sign the .msi
        build.ps1 -Step Verify      # signtool verify (signed builds only)

    Signing is chosen by the environment (see installer\README.md for every name):
      - Azure Artifact Signing, formerly Trusted Signing (the default), when
        AZURE_SIGNING_ENDPOINT is set;
      - a PFX file when WINDOWS_CERTIFICATE_PFX_BASE64 (or WINDOWS_CERTIFICATE_PFX, a path) is set;
      - otherwise the build is left unsigned, with a warning (forks, pull requests, trials).

.PARAMETER Python
    The python.exe (3.11) to build the freeze venv with; by default the launcher's
    `py -3.11`, else the `python` on PATH.
#>
[CmdletBinding()]
param(
    [ValidateSet('All', 'Freeze', 'SignExes', 'Msi', 'SignMsi', 'Verify')]
    [string]$Step = 'All',
    [string]$Python = ''
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$WixVersion = '5.0.2'  # 5.x: the <Files> harvesting; later majors need the OSMF EULA (README)
$SigningClientVersion = '1.0.128'  # Microsoft.ArtifactSigning.Client (NuGet)
$Root = (Resolve-Path (Join-Path $PSScriptRoot '..\..')).Path
$Venv = Join-Path $Root 'build\venv-windows'
$VenvPython = Join-Path $Venv 'Scripts\python.exe'
$DistDir = Join-Path $Root 'dist\clozapine-desk'
$Executables = @('clozapine-desk.exe', 'clozapine-desk-cli.exe')
$Description = 'Clozapine REMS Desk'

function Write-Step([string]$Text) {
    Write-Host ''
    Write-Host "==> $Text" -ForegroundColor Cyan
}

# Native programs do not throw on failure: stop on a non-zero exit code.
function Invoke-Native {
    param([string]$FilePath, [string[]]$Arguments)
    & $FilePath @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "$FilePath exited with code $LASTEXITCODE"
    }
}

function Get-ProductVersion {
    # The version the installed package declares (pyproject's dynamic version).
    $version = & $VenvPython -c "import importlib.metadata as m; print(m.version('clozapine-desk'))"
    if ($LASTEXITCODE -ne 0 -or -not $version) { throw 'cannot read the version: run -Step Freeze first' }
    $version = $version.Trim()
    # An MSI ProductVersion is numbers only (major.minor.build): 0.2.0rc1 installs as 0.2.0.
    if ($version -notmatch '^(\d+)\.(\d+)(?:\.(\d+))?') { throw "version '$version' has no major.minor" }
    $patch = if ($Matches[3]) { $Matches[3] } else { '0' }
    return [pscustomobject]@{ Full = $version; Msi = "$($Matches[1]).$($Matches[2]).$patch" }
}

function Get-MsiPath {
    $v = Get-ProductVersion
    return Join-Path $Root "dist\clozapine-desk-$($v.Full)-windows-x64.msi"
}

# ---------------------------------------------------------------------------------- freeze

function Invoke-Freeze {
    Set-Location $Root

    Write-Step 'Create the freeze venv (build\venv-windows)'
    if (Test-Path $Venv) { Remove-Item -Recurse -Force $Venv }
    if ($Python) { $pyExe = $Python; $pyArgs = @() }
    elseif (Get-Command py -ErrorAction SilentlyContinue) { $pyExe = 'py'; $pyArgs = @('-3.11') }
    else { $pyExe = 'python'; $pyArgs = @() }
    Invoke-Native $pyExe ($pyArgs + @('-m', 'venv', $Venv))
    Invoke-Native $VenvPython @('-c', 'import sys; assert sys.version_info[:2] == (3, 11), sys.version')

    Write-Step 'Install the pinned runtime and build requirements'
    Invoke-Native $VenvPython @('-m', 'pip', 'install', '--disable-pip-version-check', '--upgrade', 'pip')
    Invoke-Native $VenvPython @('-m', 'pip', 'install', '--disable-pip-version-check',
        '-r', 'requirements\registry.txt', '-r', 'requirements\build.txt')  # registry.txt includes desktop.txt

    Write-Step 'Install the app itself (no dependencies: they are pinned above)'
    Invoke-Native $VenvPython @('-m', 'pip', 'install', '--disable-pip-version-check', '--no-deps', '.')

    Write-Step 'Freeze with PyInstaller (one folder)'
    if (Test-Path $DistDir) { Remove-Item -Recurse -Force $DistDir }
    Invoke-Native $VenvPython @('-m', 'PyInstaller', '--noconfirm', '--distpath', 'dist',
        '--workpath', 'build\pyinstaller', 'installer\clozapine-desk.spec')
    foreach ($exe in $Executables) {
        if (-not (Test-Path (Join-Path $DistDir $exe))) { throw "the bundle has no $exe" }
    }
    $v = Get-ProductVersion
    Write-Host "Froze clozapine-desk $($v.Full) into $DistDir"
}

# --------------------------------------------------------------------------------- signing

function Get-SignMode {
    if ($env:AZURE_SIGNING_ENDPOINT) { return 'artifact-signing' }
    if ($env:WINDOWS_CERTIFICATE_PFX_BASE64 -or $env:WINDOWS_CERTIFICATE_PFX) { return 'pfx' }
    return 'none'
}

# The signtool plug-in of Azure Artifact Signing (formerly Trusted Signing): AZURE_SIGNING_DLIB
# when given, else the pinned NuGet package, fetched once into build\signing-client.
function Get-SigningDlib {
    if ($env:AZURE_SIGNING_DLIB) { return $env:AZURE_SIGNING_DLIB }
    $folder = Join-Path $Root "build\signing-client\$SigningClientVersion"
    $dlib = Join-Path $folder 'bin\x64\Azure.CodeSigning.Dlib.dll'
    if (-not (Test-Path $dlib)) {
        Write-Step "Fetch Microsoft.ArtifactSigning.Client $SigningClientVersion (signtool plug-in)"
        New-Item -ItemType Directory -Force -Path $folder | Out-Null
        $package = Join-Path $folder 'client.zip'  # a .nupkg is a zip
        Invoke-WebRequest -UseBasicParsing -OutFile $package `
            -Uri "https://www.nuget.org/api/v2/package/Microsoft.ArtifactSigning.Client/$SigningClientVersion"
        Expand-Archive -Path $package -DestinationPath $folder -Force
        if (-not (Test-Path $dlib)) { throw "the client package has no bin\x64\Azure.CodeSigning.Dlib.dll" }
    }
    # Only Microsoft's own plug-in gets to see the signing credentials.
    $signature = Get-AuthenticodeSignature -FilePath $dlib
    if ($signature.Status -ne 'Valid' -or $signature.SignerCertificate.Subject -notmatch 'O=Microsoft Corporation') {
        throw "$dlib is not validly signed by Microsoft ($($signature.Status))"
    }
    return $dlib
}

function Get-SignTool {
    if ($env:SIGNTOOL -and (Test-Path $env:SIGNTOOL)) { return $env:SIGNTOOL }
    # The newest Windows SDK's x64 signtool (Artifact Signing needs 10.0.22621.755 or later).
    $kits = Join-Path ${env:ProgramFiles(x86)} 'Windows Kits\10\bin'
    $found = Get-ChildItem -Path $kits -Filter signtool.exe -Recurse -ErrorAction SilentlyContinue |
        Where-Object { $_.Directory.Name -eq 'x64' -and $_.Directory.Parent.Name -match '^\d+\.\d+\.\d+\.\d+$' } |
        Sort-Object { [version]$_.Directory.Parent.Name } -Descending |
        Select-Object -First 1
    if (-not $found) { throw 'signtool.exe not found: install the Windows SDK, or set SIGNTOOL' }
    return $found.FullName
}

# Signs the given files in one signtool call; SHA-256 file digest, RFC 3161 timestamp (so the
# signature stays valid after the certificate expires).
function Invoke-Sign([string[]]$Files) {
    $mode = Get-SignMode
    if ($mode -eq 'none') {
        Write-Warning 'No signing secrets: leaving these unsigned (SmartScreen will warn on install).'
        return
    }
    $signtool = Get-SignTool
    $common = @('sign', '/v', '/fd', 'SHA256', '/td', 'SHA256', '/d', $Description)
    $temp = Join-Path ([System.IO.Path]::GetTempPath()) ("cdsign-" + [guid]::NewGuid())
    New-Item -ItemType Directory -Path $temp | Out-Null
    try {
        if ($mode -eq 'artifact-signing') {
            foreach ($name in 'AZURE_SIGNING_ACCOUNT', 'AZURE_SIGNING_CERTIFICATE_PROFILE') {
                if (-not (Get-Item "env:$name" -ErrorAction SilentlyContinue)) { throw "Artifact Signing needs $name" }
            }
            $dlib = Get-SigningDlib
            # Authentication is the dlib's (DefaultAzureCredential): AZURE_TENANT_ID,
            # AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, or an `az login` session.
            $metadata = Join-Path $temp 'metadata.json'
            @{
                Endpoint               = $env:AZURE_SIGNING_ENDPOINT
                CodeSigningAccountName = $env:AZURE_SIGNING_ACCOUNT
                CertificateProfileName = $env:AZURE_SIGNING_CERTIFICATE_PROFILE
            } | ConvertTo-Json | Set-Content -Path $metadata -Encoding ASCII
            $timestamp = 'http://timestamp.acs.microsoft.com'
            Invoke-Native $signtool ($common + @('/tr', $timestamp, '/dlib', $dlib,
                '/dmdf', $metadata) + $Files)
        }
        else {
            $pfx = $env:WINDOWS_CERTIFICATE_PFX
            if ($env:WINDOWS_CERTIFICATE_PFX_BASE64) {
                $pfx = Join-Path $temp 'signing.pfx'
                [System.IO.File]::WriteAllBytes($pfx, [System.Convert]::FromBase64String($env:WINDOWS_CERTIFICATE_PFX_BASE64))
            }
            if (-not $env:WINDOWS_CERTIFICATE_PASSWORD) { throw 'PFX signing needs WINDOWS_CERTIFICATE_PASSWORD' }
            $timestamp = if ($env:WINDOWS_TIMESTAMP_URL) { $env:WINDOWS_TIMESTAMP_URL } else { 'http://timestamp.digicert.com' }
            Invoke-Native $signtool ($common + @('/tr', $timestamp, '/f', $pfx,
                '/p', $env:WINDOWS_CERTIFICATE_PASSWORD) + $Files)
        }
    }
    finally {
        # The decoded key and the metadata never outlive the step.
        Remove-Item -Recurse -Force $temp -ErrorAction SilentlyContinue
    }
}

function Invoke-SignExes {
    Write-Step "Sign the executables ($(Get-SignMode))"
    $files = $Executables | ForEach-Object { Join-Path $DistDir $_ }
    foreach ($f in $files) { if (-not (Test-Path $f)) { throw "$f is missing: run -Step Freeze first" } }
    Invoke-Sign $files
}

function Invoke-SignMsi {
    $msi = Get-MsiPath
    Write-Step "Sign the MSI ($(Get-SignMode))"
    if (-not (Test-Path $msi)) { throw "$msi is missing: run -Step Msi first" }
    Invoke-Sign @($msi)
}

function Invoke-Verify {
    Write-Step 'Verify the signatures'
    $signtool = Get-SignTool
    $files = @($Executables | ForEach-Object { Join-Path $DistDir $_ }) + @(Get-MsiPath)
    # /pa: the Authenticode (not the kernel-driver) policy; /all: every signature present.
    Invoke-Native $signtool (@('verify', '/pa', '/all', '/v') + $files)
}

# ------------------------------------------------------------------------------------- msi

function Get-Wix {
    $tools = Join-Path $env:USERPROFILE '.dotnet\tools'
    if (($env:PATH -split ';') -notcontains $tools) { $env:PATH = "$tools;$env:PATH" }
    $wix = Get-Command wix -ErrorAction SilentlyContinue
    $have = if ($wix) { (& wix --version) -replace '\+.*$', '' } else { '' }
    if ($have -ne $WixVersion) {
        Write-Step "Install the WiX Toolset $WixVersion (dotnet global tool)"
        if ($wix) { Invoke-Native dotnet @('tool', 'uninstall', '--global', 'wix') }
        Invoke-Native dotnet @('tool', 'install', '--global', 'wix', '--version', $WixVersion)
    }
    return 'wix'
}

function Invoke-Msi {
    Set-Location $Root
    $v = Get-ProductVersion
    $msi = Get-MsiPath
    $wix = Get-Wix

    Write-Step "Build the MSI for $($v.Full) (ProductVersion $($v.Msi))"
    if (-not (Test-Path (Join-Path $DistDir 'clozapine-desk.exe'))) { throw 'no bundle: run -Step Freeze first' }
    if (Test-Path $msi) { Remove-Item -Force $msi }
    $arguments = @('build', '-arch', 'x64',
        '-d', "DistDir=$DistDir",
        '-d', "ProductVersion=$($v.Msi)",
        '-o', $msi,
        (Join-Path $PSScriptRoot 'clozapine-desk.wxs'))
    $icon = Join-Path $Root 'installer\icons\clozapine-desk.ico'
    if (Test-Path $icon) { $arguments += @('-d', "IconFile=$icon") }
    Invoke-Native $wix $arguments
    Write-Host "Built $msi ($([math]::Round((Get-Item $msi).Length / 1MB)) MB)"
}

# ------------------------------------------------------------------------------------ main

switch ($Step) {
    'Freeze'   { Invoke-Freeze }
    'SignExes' { Invoke-SignExes }
    'Msi'      { Invoke-Msi }
    'SignMsi'  { Invoke-SignMsi }
    'Verify'   { Invoke-Verify }
    'All' {
        Invoke-Freeze
        Invoke-SignExes
        Invoke-Msi
        Invoke-SignMsi
        if ((Get-SignMode) -ne 'none') { Invoke-Verify }
    }
}
