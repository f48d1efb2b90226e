// Compiles and evaluates a declarative Jenkinsfile as plain Groovy, with every pipeline DSL
// word (pipeline, agent, stages, stage, steps, sh, post, ...) stubbed by methodMissing:
// a syntax error fails the compile, and walking every closure records each `sh` step with
// the stage it belongs to. Prints one JSON document:
//   {"stages": [...], "steps": [{"path": [...], "stage": "...", "sh": "..."}],
//    "published": [{"stage": "...", "reportDir": "...", "reportFiles": "..."}]}   (publishHTML)
// Usage: groovy scripts/ci/jenkinsfile-harness.groovy Jenkinsfile
import groovy.json.JsonOutput
import org.codehaus.groovy.control.CompilerConfiguration

class Recorder {
  static List<String> path = []
  static List<String> stages = []
  static List<Map> steps = []
  static List<Map> published = []

  static Object call(String name, Object[] args) {
    if (name == 'stage' && args.length > 0) stages << String.valueOf(args[0])
    if (name == 'sh' && args.length > 0) {
      def a = args[0]
      String script = a instanceof Map ? String.valueOf(a.script) : String.valueOf(a)
      String stage = path.reverse().find { it.startsWith('stage:') }?.substring(6)
      steps << [path: path.clone(), stage: stage, sh: script]
    }
    if (name == 'publishHTML' && args.length > 0) {
      def a = args[0] instanceof Map && args[0].target instanceof Map ? args[0].target : args[0]
      String stage = path.reverse().find { it.startsWith('stage:') }?.substring(6)
      published << [stage: stage, reportDir: String.valueOf(a.reportDir), reportFiles: String.valueOf(a.reportFiles)]
    }
    Closure body = args.find { it instanceof Closure } as Closure
    if (body != null) {
      String label = name == 'stage' ? "stage:${args[0]}" : name
      path.push(label)
      try { body.call() } finally { path.pop() }
    }
    return [name: name]
  }
}

abstract class PipelineScript extends Script {
  def methodMissing(String name, Object args) { Recorder.call(name, args as Object[]) }
}

if (args.length != 1) { System.err.println('usage: jenkinsfile-harness.groovy <Jenkinsfile>'); System.exit(2) }
def file = new File(args[0])
def config = new CompilerConfiguration()
config.scriptBaseClass = PipelineScript.name
// what Jenkins puts in scope for a declarative pipeline
def binding = new Binding([
  params: [DEPLOY_METHOD: 'compose', RUN_CHAOS: true, LOAD_RATE: '4', LOAD_DURATION: '60s'],
  env: [HOME: '/home/jenkins', EXECUTOR_NUMBER: '0', BUILD_NUMBER: '1'],
  scm: [type: 'git'],
  currentBuild: [result: 'SUCCESS'],
])
def shell = new GroovyShell(this.class.classLoader, binding, config)
shell.evaluate(file.text, file.name)
println JsonOutput.toJson([stages: Recorder.stages, steps: Recorder.steps, published: Recorder.published])
