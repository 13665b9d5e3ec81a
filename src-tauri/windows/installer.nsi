; The Windows installer of the Countercheck desk app, built with makensis
; (Debian's `nsis` package, or NSIS on Windows) from the cross-built
; executables; see README.md, "Windows". Per user, no administrator rights
; needed (a pharmacy PC's user installs it): the programs go to
; %LOCALAPPDATA%\Programs\Countercheck, a Start menu entry is made, and the
; uninstaller is registered under "Apps". The data (ledger, journal,
; settings, logs, exports) lives in %LOCALAPPDATA%\countercheck and is never
; removed by the uninstaller: the journal is the pharmacy's record.
;
; makensis -DVERSION=0.1.0 -DAPP_EXE=path\countercheck-app.exe
;          -DCLI_EXE=path\countercheck.exe -DICON=path\icon.ico
;          -DOUTFILE=Countercheck_0.1.0_x64-setup.exe installer.nsi

; A 64-bit installer for a 64-bit program (and wine64 runs it in CI).
Target amd64-unicode
SetCompressor /SOLID lzma
RequestExecutionLevel user

!ifndef VERSION
  !error "VERSION is needed (-DVERSION=…)"
!endif
!ifndef APP_EXE
  !error "APP_EXE is needed"
!endif
!ifndef CLI_EXE
  !error "CLI_EXE is needed"
!endif
!ifndef ICON
  !error "ICON is needed"
!endif
!ifndef OUTFILE
  !define OUTFILE "Countercheck_${VERSION}_x64-setup.exe"
!endif

!define NAME "Countercheck"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Countercheck"
; WebView2 (Evergreen runtime) client id, as Microsoft documents it.
!define WEBVIEW2_ID "{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"

Name "${NAME} ${VERSION}"
OutFile "${OUTFILE}"
Icon "${ICON}"
UninstallIcon "${ICON}"
InstallDir "$LOCALAPPDATA\Programs\${NAME}"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"

Page directory
Page instfiles
UninstPage uninstConfirm
UninstPage instfiles

Function .onInstSuccess
  ; The window needs Microsoft's WebView2 runtime (part of Windows 11 and
  ; of an up-to-date Windows 10). Say so when it is missing; the command-line
  ; program works without it.
  ReadRegStr $0 HKLM "SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_ID}" "pv"
  StrCmp $0 "" 0 found
  ReadRegStr $0 HKCU "Software\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_ID}" "pv"
  StrCmp $0 "" 0 found
  IfSilent found
  MessageBox MB_OK|MB_ICONINFORMATION "Countercheck's window needs the Microsoft Edge WebView2 runtime, which this PC does not have yet. Install it from https://developer.microsoft.com/microsoft-edge/webview2/ (the Evergreen runtime), then start Countercheck."
  found:
FunctionEnd

Section "Countercheck" main
  SetOutPath "$INSTDIR"
  File "/oname=countercheck-app.exe" "${APP_EXE}"
  File "/oname=countercheck.exe" "${CLI_EXE}"
  File "/oname=countercheck.ico" "${ICON}"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortcut "$SMPROGRAMS\${NAME}.lnk" "$INSTDIR\countercheck-app.exe" "" "$INSTDIR\countercheck.ico"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${NAME}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\countercheck.ico"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "Countercheck"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  ; The programs only: %LOCALAPPDATA%\countercheck (the journal, the ledger,
  ; the settings) stays.
  Delete "$SMPROGRAMS\${NAME}.lnk"
  Delete "$INSTDIR\countercheck-app.exe"
  Delete "$INSTDIR\countercheck.exe"
  Delete "$INSTDIR\countercheck.ico"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
SectionEnd
