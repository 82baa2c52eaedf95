// Licensed to the Apache Software Foundation (ASF) under one
// or more contributor license agreements.  See the NOTICE file
// distributed with this work for additional information
// regarding copyright ownership.  The ASF licenses this file
// to you under the Apache License, Version 2.0 (the
// "License"); you may not use this file except in compliance
// with the License.  You may obtain a copy of the License at
//
//   http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing,
// software distributed under the License is distributed on an
// "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY
// KIND, either express or implied.  See the License for the
// specific language governing permissions and limitations
// under the License.

//! The project's RAT configuration as its build runs RAT: a parent pom's excludes in each
//! module, an exclusion file a script passes to RAT.

use super::*;

#[test]
fn a_parent_poms_rat_excludes_hide_module_test_resources_of_any_share() {
    // Maven Surefire 3.5.6: the parent's `src/test/resources/**/*` excludes each module's test
    // resources, integration-test projects with Java sources among them, half of the tree.
    let pom = "<project><modules><module>its</module><module>api</module></modules><build>\
               <plugins><plugin><groupId>org.apache.rat</groupId>\
               <artifactId>apache-rat-plugin</artifactId><executions><execution><configuration>\
               <excludes combine.children=\"append\"><exclude>src/test/resources/**/*</exclude>\
               </excludes></configuration></execution></executions></plugin></plugins></build>\
               </project>";
    let mut files: Vec<(String, String)> = vec![
        ("LICENSE".into(), "Apache License".into()),
        ("pom.xml".into(), format!("{ASF_HEADER}{pom}")),
        ("its/pom.xml".into(), format!("{ASF_HEADER}<project/>")),
        ("api/pom.xml".into(), format!("{ASF_HEADER}<project/>")),
        ("api/src/main/java/Plain.java".into(), CODE.into()),
    ];
    for n in 0..40 {
        files.push((
            format!("its/src/test/resources/p{n}/src/test/java/T.java"),
            CODE.into(),
        ));
        files.push((format!("its/src/test/resources/p{n}/pom.xml"), DATA.into()));
    }
    for n in 0..30 {
        files.push((
            format!("api/src/main/java/A{n}.java"),
            format!("{ASF_HEADER}{CODE}"),
        ));
    }
    let report = audit_owned(&files);
    assert_eq!(
        named(&report),
        vec![("api/src/main/java/Plain.java", "no-license")]
    );
    let pom = &report.sources[2];
    assert_eq!(pom.source, "pom.xml apache-rat-plugin <excludes>");
    assert_eq!(pom.removed.len(), 80);
}

#[test]
fn an_exclusion_file_a_script_passes_to_rat_counts_whatever_the_order_of_files() {
    let script =
        format!("{ASF_HEADER}java -jar \"$rat_jar\" -E \"$FWDIR\"/dev/.rat-excludes -d .\n");
    let files = [
        ("LICENSE", "Apache License"),
        ("dev/.rat-excludes", "mkdocs/*\n"),
        ("mkdocs/overrides/main.html", CODE),
        ("dev/check-license", script.as_str()),
    ];
    for order in [[0, 1, 2, 3], [3, 2, 1, 0]] {
        let report = audit(&order.map(|i| files[i]), &[]);
        assert_eq!(named(&report), vec![], "{order:?}");
    }
    // Without the script, the file is nobody's configuration.
    let report = audit(&files[..3], &[]);
    assert_eq!(
        named(&report),
        vec![("mkdocs/overrides/main.html", "no-license")]
    );
}

#[test]
fn a_broad_pattern_reaching_past_test_resources_still_spares_no_program_source() {
    let pom = "<project><build><plugins><plugin><artifactId>apache-rat-plugin</artifactId>\
               <configuration><excludes><exclude>src/**</exclude></excludes></configuration>\
               </plugin></plugins></build></project>";
    let mut files: Vec<(String, String)> = vec![
        ("LICENSE".into(), "Apache License".into()),
        ("pom.xml".into(), format!("{ASF_HEADER}{pom}")),
        ("src/main/java/Plain.java".into(), CODE.into()),
    ];
    for n in 0..40 {
        files.push((format!("src/test/resources/p{n}/T.java"), CODE.into()));
    }
    let report = audit_owned(&files);
    assert_eq!(report.findings.len(), 41, "{:?}", named(&report));
}

#[test]
fn a_pattern_the_sample_sees_only_in_test_resources_still_spares_program_source_elsewhere() {
    // `src/**` over a tree of test resources: the paths sampled for breadth are all fixtures,
    // but the pattern hides main code too, which the sample happened to miss.
    let pom = "<project><build><plugins><plugin><artifactId>apache-rat-plugin</artifactId>\
               <configuration><excludes><exclude>src/**</exclude></excludes></configuration>\
               </plugin></plugins></build></project>";
    let mut files: Vec<(String, String)> = vec![
        ("LICENSE".into(), "Apache License".into()),
        ("pom.xml".into(), format!("{ASF_HEADER}{pom}")),
    ];
    for n in 0..5000 {
        files.push((format!("src/test/resources/p{n}.txt"), DATA.into()));
    }
    // Wherever it comes in the tree.
    for at in [2501, 2502, 2503, 2504] {
        let mut files = files.clone();
        files.insert(at, ("src/main/java/Evil.java".into(), CODE.into()));
        let report = audit_owned(&files);
        assert_eq!(
            named(&report),
            vec![("src/main/java/Evil.java", "no-license")],
            "{at}"
        );
    }
}
