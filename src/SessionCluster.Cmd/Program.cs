using System.Text;
using SessionCluster.Cmd;

// sessionctl: see SessionctlApp for the commands and README.md "Operator CLI" for their use.
Console.OutputEncoding = Encoding.UTF8;
return await SessionctlApp.RunAsync(args, CliEnvironment.FromProcess());
